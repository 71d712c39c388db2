import type { EntryJson } from '../api.js'
import type { Context } from '../context.js'
import { h, hidden } from '../dom.js'
import { actionCue, when } from '../format.js'

/** A link to an entity's timeline, or a dash for events about no row. */
export function entityLink(context: Context, entry: EntryJson): HTMLElement {
  if (!entry.tableName || entry.entityId === null) return h('span', { class: 'muted' }, '—')
  const path = `/tables/${encodeURIComponent(entry.tableName)}/entities/${encodeURIComponent(entry.entityId)}`
  const label = `Timeline of ${entry.tableName} ${entry.entityId}`
  return h('a', { href: context.href(path), 'aria-label': label }, entry.entityId)
}

export const entryHref = (context: Context, id: number) => context.href(`/entries/${id}`)

/**
 * Entries as a table (cards on a phone: each cell carries its column name in `data-label`).
 * `showActor` is false where every entry is the viewer's own.
 */
export function entryTable(
  context: Context,
  entries: EntryJson[],
  caption: string,
  showActor: boolean,
): HTMLElement {
  const head = ['Action', 'When', 'What', 'Table', 'Entity', ...(showActor ? ['Actor'] : [])]
  return h(
    'table',
    { class: 'entries' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, ...head.map((name) => h('th', { scope: 'col' }, name)))),
    h(
      'tbody',
      {},
      ...entries.map((entry) =>
        h(
          'tr',
          { 'data-entry-id': entry.id },
          h('td', { class: 'cue-cell', 'data-label': 'Action' }, actionCue(entry.action)),
          h('td', { 'data-label': 'When' }, when(entry.createdAt)),
          h(
            'td',
            { 'data-label': 'What' },
            h(
              'a',
              { href: entryHref(context, entry.id) },
              entry.label,
              hidden(` (entry ${entry.id})`),
            ),
          ),
          h('td', { 'data-label': 'Table' }, entry.tableName ?? h('span', { class: 'muted' }, '—')),
          h('td', { 'data-label': 'Entity' }, entityLink(context, entry)),
          showActor
            ? h(
                'td',
                { 'data-label': 'Actor' },
                entry.actorId ?? h('span', { class: 'muted' }, 'none'),
              )
            : null,
        ),
      ),
    ),
  )
}

/** "← Newest" back to the first page and "Older →" to the next one, as real links. */
export function pager(newest: string | null, older: string | null): HTMLElement | null {
  if (!newest && !older) return null
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    newest ? h('a', { href: newest }, '← Newest') : null,
    older ? h('a', { href: older, rel: 'next' }, 'Older →') : null,
  )
}
