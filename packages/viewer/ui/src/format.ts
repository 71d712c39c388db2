import type { EntryJson } from './api.js'
import { type Child, h, hidden } from './dom.js'

const CUES: Record<string, { symbol: string; kind: string }> = {
  INSERT: { symbol: '+', kind: 'insert' },
  UPDATE: { symbol: '~', kind: 'update' },
  DELETE: { symbol: '-', kind: 'delete' },
}

/**
 * The audit CLI's cue: `+` created, `~` updated, `-` deleted, `•` any other event. The action
 * name follows it, visibly when `named`, else for screen readers only.
 */
export function actionCue(action: string, named = false): HTMLElement {
  const cue = CUES[action] ?? { symbol: '•', kind: 'event' }
  return h(
    'span',
    { class: 'action' },
    h('span', { class: `cue cue-${cue.kind}`, 'aria-hidden': 'true' }, cue.symbol),
    named ? ` ${action}` : hidden(action),
  )
}

/** Local date and time, with the exact ISO instant in a `<time>` for machines and tooltips. */
export function when(iso: string): HTMLElement {
  const date = new Date(iso)
  const text = Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
  return h('time', { datetime: iso, title: iso }, text)
}

/** One value as text: strings as they are, `null` and `''` marked, everything else as JSON. */
export function value(input: unknown): HTMLElement {
  if (input === null || input === undefined) return h('span', { class: 'null' }, 'null')
  if (input === '') return h('span', { class: 'null' }, 'empty')
  const text = typeof input === 'string' ? input : JSON.stringify(input)
  return h('span', { class: 'value' }, text)
}

/** A JSON document (snapshot, metadata) as preformatted text. */
export const json = (input: unknown): HTMLElement =>
  h('pre', { class: 'json' }, JSON.stringify(input, null, 2))

/** Which fields an entry changed, with the value before and after each. */
export function fieldChanges(entry: EntryJson): { field: string; from?: unknown; to?: unknown }[] {
  const before = entry.oldValues
  const after = entry.action === 'DELETE' ? null : entry.newValues
  const fields = entry.changedFields?.length
    ? entry.changedFields
    : [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])]
  return fields.map((field) => ({
    field,
    ...(before && field in before ? { from: before[field] } : {}),
    ...(after && field in after ? { to: after[field] } : {}),
  }))
}

/** Old → new per changed field; an absent side (row created or deleted) shows as a dash. */
export function diffTable(
  rows: { field: string; from?: unknown; to?: unknown }[],
  caption: string,
): HTMLElement {
  const side = (present: boolean, input: unknown, tag: 'del' | 'ins'): Child =>
    present ? h(tag, {}, value(input)) : h('span', { class: 'muted' }, '—')
  return h(
    'table',
    { class: 'diff' },
    h('caption', { class: 'visually-hidden' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Field'),
        h('th', { scope: 'col' }, 'Before'),
        h('th', { scope: 'col' }, 'After'),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((row) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, row.field),
          h('td', { 'data-label': 'Before' }, side('from' in row, row.from, 'del')),
          h('td', { 'data-label': 'After' }, side('to' in row, row.to, 'ins')),
        ),
      ),
    ),
  )
}
