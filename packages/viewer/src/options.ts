import type { Chronicle } from '@chronicle/core'

/** Who is asking, as `authorize` decides. */
export interface ViewerPrincipal {
  /** The actor whose entries a `'self'` principal sees (entries with this `actorId`). */
  readonly actorId: string | null
  /** `'all'`: every entry; `'self'`: only entries whose `actorId` is the principal's. */
  readonly scope: 'all' | 'self'
  /**
   * Restore and revert allowed (admins). Honoured for scope `'all'` only: a restore shows
   * and changes a row as a whole, whoever changed it last.
   * @default false
   */
  readonly canRestore?: boolean
  /** Shown in the page header. */
  readonly name?: string
}

/** Action → human text, as a map or a function; unmatched actions fall back to {@link defaultLabel}. */
export type ViewerLabels =
  | Readonly<Record<string, string>>
  | ((action: string) => string | undefined)

export interface ViewerOptions {
  /** Any adapter's audit instance (Kysely, Drizzle, Prisma, the CLI's). */
  // biome-ignore lint/suspicious/noExplicitAny: the viewer reads any table's rows as plain records
  readonly audit: Chronicle<any>
  /**
   * Where the viewer is mounted, e.g. `'/admin/audit'`.
   * @default '/'
   */
  readonly basePath?: string
  /**
   * Runs on every API and page request: who is asking, or `null` to answer 401. A throw
   * answers 500 without details (and goes to `onError`).
   */
  readonly authorize: (request: Request) => ViewerPrincipal | null | Promise<ViewerPrincipal | null>
  readonly labels?: ViewerLabels
  /**
   * The page title.
   * @default 'Audit log'
   */
  readonly title?: string
  /**
   * Signs CSRF tokens. Set it when several processes serve the viewer, so a token one
   * issued is accepted by the others.
   * @default a random key per process
   */
  readonly secret?: string
  /**
   * Called with unexpected failures (a throwing `authorize`, a database error) that are
   * answered with a 500 without details.
   * @default console.error
   */
  readonly onError?: (error: unknown) => void
}
