import type { Api, Session } from './api.js'

/** What every page gets: the API, who is asking, and how to build links under the mount. */
export interface Context {
  readonly api: Api
  readonly session: Session
  /** `path` (starting with `/`) under the mount, with the non-empty query values. */
  href(path: string, query?: Record<string, string | undefined>): string
  /** Goes to `href` through the client-side router, as a link click would. */
  navigate(href: string, options?: { replace?: boolean }): void
}

/** A rendered page: its heading text (also the document title) and its content. */
export interface View {
  readonly title: string
  readonly content: Node
}

export type Page = (context: Context, url: URL, params: string[]) => Promise<View>

/** Builds a link under `base`; empty query values are left out, as the filter form does. */
export function buildHref(
  base: string,
  path: string,
  query: Record<string, string | undefined> = {},
): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value)
  const search = params.size > 0 ? `?${params}` : ''
  return `${base}${path}${search}`
}
