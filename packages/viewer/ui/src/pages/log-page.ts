import { ENTRY_FILTERS } from '../../../src/entry-filters.js'
import { ApiError, type Page as ApiPage, type EntryJson } from '../api.js'
import type { Context, Page } from '../context.js'
import { append, h } from '../dom.js'
import { alert, explain } from '../errors.js'
import { entryTable, pager } from './entry-list.js'

/** The filters a log URL can carry; dates are `YYYY-MM-DD` days in the viewer's time zone. */
const FILTERS = ENTRY_FILTERS
type Filters = Partial<Record<(typeof FILTERS)[number], string>>

const ACTIONS = ['INSERT', 'UPDATE', 'DELETE']

function readFilters(url: URL): Filters {
  const filters: Filters = {}
  for (const key of FILTERS) {
    const value = url.searchParams.get(key)?.trim()
    if (value) filters[key] = value
  }
  return filters
}

/** A whole day, from its first to its last millisecond, as the API's ISO instants. */
function dayBound(day: string | undefined, end: boolean): string | undefined {
  if (!day) return undefined
  const date = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`)
  return Number.isNaN(date.getTime()) ? day : date.toISOString()
}

function field(
  name: keyof Filters,
  label: string,
  filters: Filters,
  attributes: Record<string, string> = {},
): HTMLElement {
  const id = `filter-${name}`
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name, value: filters[name] ?? '', type: 'text', ...attributes }),
  )
}

function filterForm(context: Context, path: string, filters: Filters, showActor: boolean) {
  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': 'Filter entries',
      method: 'get',
      action: context.href(path),
    },
    field('table', 'Table', filters, { autocomplete: 'off' }),
    showActor ? field('actorId', 'Actor', filters, { autocomplete: 'off' }) : null,
    field('action', 'Action or domain', filters, {
      list: 'filter-actions',
      placeholder: 'UPDATE, billing.*',
      autocomplete: 'off',
    }),
    h(
      'datalist',
      { id: 'filter-actions' },
      ...ACTIONS.map((action) => h('option', { value: action })),
    ),
    field('since', 'From', filters, { type: 'date' }),
    field('until', 'To', filters, { type: 'date' }),
    // Filters the form has no field for (entity, transaction) stay until cleared.
    ...(['entityId', 'transactionId'] as const).map((key) =>
      filters[key] ? h('input', { type: 'hidden', name: key, value: filters[key] }) : null,
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Filter'),
      h('a', { class: 'button secondary', href: context.href(path) }, 'Clear'),
    ),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const query: Record<string, string> = {}
    for (const [key, value] of new FormData(form)) {
      if (typeof value === 'string' && value.trim()) query[key] = value.trim()
    }
    context.navigate(context.href(path, query))
  })
  return form
}

/** The active filters the form cannot show, as text, so a narrowed list never looks complete. */
function scopeNote(filters: Filters): HTMLElement | null {
  const parts = [
    filters.entityId ? `entity ${filters.entityId}` : '',
    filters.transactionId ? `transaction ${filters.transactionId}` : '',
  ].filter(Boolean)
  return parts.length ? h('p', { class: 'note' }, `Showing only ${parts.join(' and ')}.`) : null
}

/** One page of entries for the filters in `url`; `actorId`, when given, is fixed (my activity). */
async function list(context: Context, url: URL, path: string, actorId?: string): Promise<Node> {
  const filters = readFilters(url)
  if (actorId !== undefined) delete filters.actorId
  const cursor = url.searchParams.get('cursor') ?? undefined
  const query = {
    ...filters,
    actorId: actorId ?? filters.actorId,
    since: dayBound(filters.since, false),
    until: dayBound(filters.until, true),
  }
  const form = filterForm(context, path, filters, actorId === undefined)
  let page: ApiPage<EntryJson>
  try {
    page = await context.api.get<ApiPage<EntryJson>>('/entries', { ...query, cursor })
  } catch (error) {
    // A filter the API refuses is shown beside the form, so it can be corrected there.
    if (!(error instanceof ApiError) || error.status !== 400) throw error
    const content = document.createDocumentFragment()
    append(content, form, alert(explain(error).message))
    return content
  }
  const older = page.nextCursor ? context.href(path, { ...filters, cursor: page.nextCursor }) : null
  const content = document.createDocumentFragment()
  append(
    content,
    form,
    scopeNote(filters),
    page.items.length === 0
      ? h('p', { class: 'empty' }, 'No entries match these filters.')
      : entryTable(context, page.items, 'Audit entries, newest first', actorId === undefined),
    pager(cursor ? context.href(path, filters) : null, older),
    h(
      'p',
      { class: 'export' },
      h(
        'a',
        { href: context.href('/api/export.jsonl', query), download: 'audit.jsonl' },
        'Download these entries as JSONL',
      ),
    ),
  )
  return content
}

/** Every entry, for principals who may see them all; others go to their own activity. */
export const logPage: Page = async (context, url) => {
  if (context.session.principal.scope !== 'all') {
    context.navigate(context.href('/activity'), { replace: true })
    return { title: 'My activity', content: document.createDocumentFragment() }
  }
  return { title: 'Audit log', content: await list(context, url, '/') }
}

/** The principal's own entries: the actor filter is theirs and cannot be changed. */
export const activityPage: Page = async (context, url) => {
  const { actorId } = context.session.principal
  if (actorId === null) {
    return {
      title: 'My activity',
      content: h(
        'p',
        { class: 'empty' },
        'You are not signed in as an actor, so you have no activity.',
      ),
    }
  }
  return { title: 'My activity', content: await list(context, url, '/activity', actorId) }
}
