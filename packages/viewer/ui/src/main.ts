import { Api, type Session } from './api.js'
import { buildHref, type Context, type View } from './context.js'
import { append, type Child, h } from './dom.js'
import { errorView } from './errors.js'
import { routable, route } from './router.js'

/** The mount path the server wrote into the page, without a trailing slash (`''` at the root). */
const base = (
  document.querySelector<HTMLMetaElement>('meta[name="chronicle-base"]')?.content ?? ''
).replace(/\/+$/, '')
const api = new Api(base)
const main = document.getElementById('main') as HTMLElement
const top = document.getElementById('top') as HTMLElement
const notFound: View = {
  title: 'Not found',
  content: h('p', { class: 'alert', role: 'alert' }, 'There is no such page (404).'),
}

let session: Session | null = null
let title = 'Audit log'
/** Each render has a number; a slower, older render never overwrites a newer one. */
let current = 0

const context = (): Context => ({
  api,
  session: session as Session,
  href: (path, query) => buildHref(base, path, query),
  navigate,
})

function header(active: string): Child[] {
  if (!session) return [h('span', { class: 'brand' }, title)]
  const { principal } = session
  const link = (path: string, text: string) =>
    h('a', { href: `${base}${path}`, 'aria-current': active === path ? 'page' : false }, text)
  return [
    h('a', { class: 'brand', href: `${base}/` }, title),
    h(
      'nav',
      { 'aria-label': 'Audit views' },
      principal.scope === 'all' ? link('/', 'All entries') : null,
      link('/activity', 'My activity'),
    ),
    principal.name ? h('span', { class: 'who' }, principal.name) : null,
  ]
}

async function render(focus: boolean): Promise<void> {
  const ticket = ++current
  const url = new URL(location.href)
  const path = url.pathname.slice(base.length) || '/'
  main.setAttribute('aria-busy', 'true')
  let view: View
  try {
    session ??= await api.session()
    title = session.title || title
    const match = route(path)
    view = match ? await match.page(context(), url, match.params) : notFound
  } catch (error) {
    view = errorView(error)
  }
  if (ticket !== current) return
  top.replaceChildren()
  append(top, ...header(path === '/' || path === '/activity' ? path : ''))
  const heading = h('h1', { tabindex: '-1' }, view.title)
  main.replaceChildren(heading, view.content)
  main.removeAttribute('aria-busy')
  document.title = `${view.title} · ${title}`
  // After a client-side navigation, start reading at the new page's heading, as a page load would.
  if (focus) heading.focus()
}

function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', href)
  else history.pushState(null, '', href)
  void render(true)
}

document.addEventListener('click', (event) => {
  const url = routable(event, base)
  if (!url) return
  event.preventDefault()
  navigate(url.href)
})
addEventListener('popstate', () => void render(true))
void render(false)
