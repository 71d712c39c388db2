import type { AuditEntry } from '@chronicle/core'

export type { RestoreResult, RevertResult } from '@chronicle/core'

/** An entry as the JSON API returns it: core's AuditEntry with its time as ISO text, plus its label. */
export type EntryJson = Omit<AuditEntry, 'createdAt'> & {
  readonly createdAt: string
  readonly label: string
}

export interface Page<T> {
  readonly items: T[]
  readonly nextCursor: string | null
}

export interface Session {
  readonly principal: {
    readonly actorId: string | null
    readonly scope: 'all' | 'self'
    readonly canRestore: boolean
    readonly name?: string | null
  }
  readonly csrfToken: string
  readonly title?: string | null
}

/** A refused or failed API call: the status and the server's `{ error: { code, message } }`. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** Talks to the mount's own JSON API, and nothing else. */
export class Api {
  readonly #root: string
  #csrfToken = ''

  constructor(base: string) {
    this.#root = `${base}/api`
  }

  async session(): Promise<Session> {
    const session = await this.get<Session>('/session')
    this.#csrfToken = session.csrfToken
    return session
  }

  get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value)
    const search = params.size > 0 ? `?${params}` : ''
    return this.#send<T>(`${path}${search}`, { headers: { accept: 'application/json' } })
  }

  /** State-changing calls carry the session's CSRF token, which a cross-site form cannot. */
  post<T>(path: string, body: unknown): Promise<T> {
    return this.#send<T>(path, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'x-csrf-token': this.#csrfToken,
      },
      body: JSON.stringify(body),
    })
  }

  async #send<T>(path: string, init: RequestInit): Promise<T> {
    const response = await fetch(`${this.#root}${path}`, { ...init, credentials: 'same-origin' })
    const body: unknown = await response.json().catch(() => null)
    if (!response.ok) {
      const error = (body as { error?: { code?: string; message?: string } } | null)?.error
      throw new ApiError(
        response.status,
        error?.code ?? 'HTTP_ERROR',
        error?.message ?? response.statusText,
      )
    }
    return body as T
  }
}
