import type { EntryJson, RestoreResult, RevertResult } from '../api.js'
import type { Context } from '../context.js'
import { append, type Child, h } from '../dom.js'
import { alert, explain } from '../errors.js'
import { actionCue, diffTable } from '../format.js'
import { entryHref } from './entry-list.js'

interface Flow {
  readonly start: string
  readonly confirm: string
  /** The dry run: what would change, and whether there is anything to confirm. */
  preview(): Promise<{ view: Child; changes: number }>
  /** The real run; its outcome is announced. */
  apply(): Promise<Child>
}

/**
 * A two-step action: the start button runs a dry run and shows its preview; only Confirm
 * writes. Nothing is written by a single click.
 */
function twoStep(flow: Flow, ...options: Child[]): HTMLElement {
  const panel = h('div', { class: 'panel' })
  const output = h('div', { class: 'panel-output', 'aria-live': 'polite' })
  const start = h('button', { type: 'button' }, flow.start)
  const fail = (error: unknown) => output.replaceChildren(alert(explain(error).message))

  start.addEventListener('click', async () => {
    start.disabled = true
    try {
      const { view, changes } = await flow.preview()
      const confirm = h('button', { type: 'button', class: 'danger' }, flow.confirm)
      const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel')
      cancel.addEventListener('click', () => {
        output.replaceChildren()
        start.focus()
      })
      confirm.addEventListener('click', async () => {
        confirm.disabled = true
        cancel.disabled = true
        try {
          output.replaceChildren(h('p', { class: 'status', role: 'status' }, await flow.apply()))
        } catch (error) {
          fail(error)
        }
      })
      output.replaceChildren(h('div', { class: 'preview' }, view))
      if (changes > 0) output.append(h('div', { class: 'actions' }, confirm, cancel))
      if (changes > 0) confirm.focus()
    } catch (error) {
      fail(error)
    } finally {
      start.disabled = false
    }
  })
  append(panel, ...options, h('div', { class: 'actions' }, start), output)
  return panel
}

/** Puts the entry's row back as it was before (or after) the entry, after a dry-run preview. */
export function restorePanel(context: Context, entry: EntryJson): HTMLElement {
  const choice = h(
    'fieldset',
    { class: 'choice' },
    h('legend', {}, 'Restore the row'),
    ...(
      [
        ['before', 'as it was before this entry'],
        ['after', 'as this entry left it'],
      ] as const
    ).map(([value, text]) =>
      h(
        'label',
        {},
        h('input', { type: 'radio', name: 'restore-to', value, checked: value === 'before' }),
        ` ${text}`,
      ),
    ),
  )
  const to = () =>
    (choice.querySelector<HTMLInputElement>('input:checked')?.value ?? 'before') as
      | 'before'
      | 'after'
  const run = (dryRun: boolean) =>
    context.api.post<RestoreResult>(`/entries/${entry.id}/restore`, { dryRun, to: to() })
  return twoStep(
    {
      start: 'Restore…',
      confirm: 'Confirm restore',
      async preview() {
        const result = await run(true)
        const rows = result.changes.map(({ field, from, to }) => ({ field, from, to }))
        const view = rows.length
          ? h(
              'div',
              {},
              h(
                'p',
                {},
                `Preview: restoring ${result.tableName} ${result.entityId} would change ${rows.length} field(s). Nothing has been written yet.`,
              ),
              diffTable(rows, 'Fields the restore would change, current value first'),
            )
          : h('p', {}, 'The row already has these values: there is nothing to restore.')
        return { view, changes: rows.length }
      },
      async apply() {
        const result = await run(false)
        return result.applied
          ? `Restored ${result.tableName} ${result.entityId}: ${result.changes.length} field(s) changed.`
          : `Nothing was written: ${result.tableName} ${result.entityId} already had these values.`
      },
    },
    choice,
  )
}

/** Undoes every change of the entry's transaction, after a dry-run list of what it would undo. */
export function revertPanel(context: Context, entry: EntryJson): HTMLElement {
  const path = `/transactions/${encodeURIComponent(entry.transactionId)}/revert`
  return twoStep({
    start: 'Revert transaction…',
    confirm: 'Confirm revert',
    async preview() {
      const result = await context.api.post<RevertResult>(path, { dryRun: true })
      const count = result.reverted.length
      return {
        changes: count,
        view: count
          ? h(
              'div',
              {},
              h(
                'p',
                {},
                `Preview: reverting transaction ${result.transactionId} would undo ${count} change(s). Nothing has been written yet.`,
              ),
              h(
                'ul',
                { class: 'plain' },
                ...result.reverted.map((item) =>
                  h(
                    'li',
                    {},
                    actionCue(item.action),
                    ` ${item.tableName} ${item.entityId} `,
                    h('a', { href: entryHref(context, item.auditId) }, `entry ${item.auditId}`),
                  ),
                ),
              ),
            )
          : h('p', {}, 'This transaction changed no rows: there is nothing to revert.'),
      }
    },
    async apply() {
      const result = await context.api.post<RevertResult>(path, { dryRun: false })
      return `Reverted transaction ${result.transactionId}: ${result.reverted.length} change(s) undone.`
    },
  })
}
