import type { EntryJson } from '../api.js'
import type { Context, Page } from '../context.js'
import { type Child, h } from '../dom.js'
import { actionCue, diffTable, fieldChanges, json, when } from '../format.js'
import { entityLink } from './entry-list.js'
import { restorePanel, revertPanel } from './restore-panel.js'

const none = () => h('span', { class: 'muted' }, 'none')

function facts(context: Context, entry: EntryJson): HTMLElement {
  const rows: [string, Child][] = [
    ['When', when(entry.createdAt)],
    ['Action', actionCue(entry.action, true)],
    ['Table', entry.tableName ?? none()],
    ['Entity', entityLink(context, entry)],
    [
      'Actor',
      entry.actorId ? `${entry.actorId}${entry.actorType ? ` (${entry.actorType})` : ''}` : none(),
    ],
    ['IP address', entry.ipAddress ?? none()],
    ['User agent', entry.userAgent ?? none()],
    [
      'Transaction',
      h(
        'a',
        { href: context.href('/', { transactionId: entry.transactionId }) },
        entry.transactionId,
      ),
    ],
    ['Hash', entry.hash ? h('code', {}, entry.hash) : none()],
  ]
  return h(
    'dl',
    { class: 'facts' },
    ...rows.flatMap(([term, detail]) => [h('dt', {}, term), h('dd', {}, detail)]),
  )
}

const section = (title: string, ...children: Child[]) =>
  h('section', { 'aria-label': title }, h('h2', {}, title), ...children)

/** Everything about one entry, and for admins the way to restore its row or revert its transaction. */
export const entryPage: Page = async (context, _url, [id = '']) => {
  const entry = await context.api.get<EntryJson>(`/entries/${encodeURIComponent(id)}`)
  const content = document.createDocumentFragment()
  content.append(h('p', { class: 'subtitle' }, entry.label), facts(context, entry))
  if (entry.tableName) {
    content.append(
      section('Changes', diffTable(fieldChanges(entry), `Fields changed by entry ${entry.id}`)),
    )
  }
  if (entry.oldValues) content.append(section('Before', json(entry.oldValues)))
  if (entry.newValues && entry.action !== 'DELETE') {
    content.append(section('After', json(entry.newValues)))
  }
  if (entry.metadata) content.append(section('Metadata', json(entry.metadata)))
  if (context.session.principal.canRestore) {
    content.append(
      section(
        'Undo',
        entry.tableName ? restorePanel(context, entry) : null,
        revertPanel(context, entry),
      ),
    )
  }
  return { title: `Entry ${entry.id}`, content }
}
