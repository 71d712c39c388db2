import type { Page as ApiPage, EntryJson } from '../api.js'
import type { Page } from '../context.js'
import { h } from '../dom.js'
import { actionCue, diffTable, fieldChanges, json, when } from '../format.js'
import { entryHref, pager } from './entry-list.js'

/** One row's history, newest first, each entry with its field-level changes. */
export const timelinePage: Page = async (context, url, [table = '', entityId = '']) => {
  const cursor = url.searchParams.get('cursor') ?? undefined
  const path = `/tables/${encodeURIComponent(table)}/entities/${encodeURIComponent(entityId)}`
  const page = await context.api.get<ApiPage<EntryJson>>(`${path}/history`, { cursor })
  const items = page.items.map((entry) =>
    h(
      'li',
      { class: 'event', 'data-entry-id': entry.id },
      h(
        'div',
        { class: 'event-head' },
        actionCue(entry.action),
        h('a', { href: entryHref(context, entry.id) }, entry.label),
        when(entry.createdAt),
        h('span', { class: 'muted' }, entry.actorId ? `by ${entry.actorId}` : 'no actor'),
      ),
      entry.tableName
        ? diffTable(fieldChanges(entry), `Changes made by entry ${entry.id}`)
        : entry.metadata
          ? json(entry.metadata)
          : null,
    ),
  )
  const content = document.createDocumentFragment()
  content.append(
    h('p', { class: 'subtitle' }, `Every recorded change to ${table} ${entityId}, newest first.`),
    items.length
      ? h('ol', { class: 'timeline' }, ...items)
      : h('p', { class: 'empty' }, 'No entries for this row.'),
  )
  const older = page.nextCursor ? context.href(path, { cursor: page.nextCursor }) : null
  const nav = pager(cursor ? context.href(path) : null, older)
  if (nav) content.append(nav)
  return { title: `${table} ${entityId}`, content }
}
