import type { Chronicle, JsonValue } from '@chronicle/core'
import type { Csrf } from './csrf.js'
import type { ViewerPrincipal } from './options.js'

/** What every handler shares: the validated options of one viewer. */
export interface ViewerState {
  // biome-ignore lint/suspicious/noExplicitAny: rows of any table, read as plain records
  readonly audit: Chronicle<any>
  /** Normalised: `''` for the root, else `/admin/audit` (no trailing slash). */
  readonly basePath: string
  readonly title: string
  readonly label: (action: string) => string
  readonly csrf: Csrf
}

/** One API request, authorized. */
export interface RouteContext {
  readonly request: Request
  readonly url: URL
  /** Path parameters, decoded. */
  readonly params: Readonly<Record<string, string>>
  readonly principal: ViewerPrincipal
  readonly viewer: ViewerState
}

/** The JSON of an entry: values encoded by core's `toJsonValue`, plus its label. */
export type EntryJson = { readonly [key: string]: JsonValue } & { readonly label: string }
