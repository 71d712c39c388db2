import { type AuditEvent, checkAction } from '../entry/audit-event.js'
import { ChronicleError, isChronicleError } from '../errors/chronicle-error.js'
import { type AuditContext, runInExactAuditContext } from './audit-context.js'

/** Where request events go: any audit instance (`audit.log`), whatever its adapter. */
export interface RequestAuditSink {
  log(event: AuditEvent): Promise<void>
}

/** Options of {@link RequestAudit}; invalid ones throw a `ChronicleError` from the constructor. */
export interface RequestAuditOptions {
  /** The audit instance the events are written with. */
  readonly audit: RequestAuditSink
  /**
   * The events' action, dot notation.
   * @default 'http.request'
   */
  readonly action?: string
  /**
   * Paths that record nothing: a string matches the path and everything under it (`/health`
   * matches `/health` and `/health/live`, not `/healthy`), a RegExp is tested on the path.
   */
  readonly exclude?: readonly (string | RegExp)[] | ((path: string) => boolean)
  /**
   * Events waiting to be written, the one being written included; past it, events are dropped
   * and reported, so a slow or failing database never holds memory or the response.
   * @default 1000
   */
  readonly queueSize?: number
  /**
   * Told of every event that is not recorded: `AUDIT_DROPPED` when the queue was full, the
   * write's own error (`MISSING_AUDIT_TABLE`, `DATABASE_ERROR`, …) when it failed. It must not
   * throw; a throw is printed with `console.error`.
   * @default console.error
   */
  readonly onError?: (error: ChronicleError) => void
}

/** One finished request, as a middleware measured it. */
export interface RequestRecord {
  readonly method: string | undefined
  /** The path without its query string. */
  readonly path: string | undefined
  /** The route pattern that served it (`/orders/:id`), when the framework knows it. */
  readonly route?: string | undefined
  readonly status: number
  readonly durationMs: number
  /** The client went away before the response was fully sent. */
  readonly aborted?: boolean
  /** The handler threw instead of returning a response (the status is then the server's 500). */
  readonly threw?: boolean
}

/** Counters since the request audit was created. */
export interface RequestAuditStats {
  readonly written: number
  readonly failed: number
  readonly dropped: number
  /** Waiting or being written. */
  readonly pending: number
}

/**
 * The request-audit half of the middlewares: one event per request, written after the response,
 * one at a time from a bounded in-memory queue. Pass it as `requestAudit` to
 * `auditContextMiddleware`, `auditContextFetch` or `auditContextHono`.
 *
 * ### Examples
 * ```ts
 * const requests = new RequestAudit({ audit, exclude: ['/health', /^\/assets\//] })
 * app.use(auditContextMiddleware({ actor: (req) => req.user?.id, requestAudit: requests }))
 * // GET /orders/7?tab=items by u1 -> audit_logs row: action 'http.request', actor_id 'u1',
 * //   ip_address, user_agent, metadata {"requestId": "…", "method": "GET", "path": "/orders/7",
 * //   "route": "/orders/:id", "status": 200, "durationMs": 3.41}
 * process.on('SIGTERM', async () => { await requests.flush(); server.close() })
 * ```
 */
export class RequestAudit {
  readonly #audit: RequestAuditSink
  readonly #action: string
  readonly #excluded: (path: string) => boolean
  readonly #queueSize: number
  readonly #onError: (error: ChronicleError) => void
  readonly #queue: { context: AuditContext; event: AuditEvent }[] = []
  #writing = false
  #written = 0
  #failed = 0
  #dropped = 0
  #idle: (() => void)[] = []

  constructor(options: RequestAuditOptions) {
    const action = options.action ?? 'http.request'
    checkAction(action)
    const queueSize = options.queueSize ?? 1000
    if (!Number.isInteger(queueSize) || queueSize < 1) {
      throw new ChronicleError('UNSUPPORTED', `queueSize must be an integer ≥ 1, got ${queueSize}`)
    }
    this.#audit = options.audit
    this.#action = action
    this.#excluded = excluder(options.exclude)
    this.#queueSize = queueSize
    this.#onError = options.onError ?? ((error) => console.error(error))
  }

  /** Whether a request to `path` records nothing. */
  excludes(path: string | undefined): boolean {
    return path !== undefined && this.#excluded(path)
  }

  /**
   * Queues the event of a finished request, written with exactly `context` (its actor, IP and
   * metadata); returns at once. The middlewares call it; call it yourself for another framework.
   */
  record(context: AuditContext, request: RequestRecord): void {
    if (this.#pending() >= this.#queueSize) {
      this.#dropped++
      this.#report(
        new ChronicleError(
          'AUDIT_DROPPED',
          `request audit queue full (${this.#queueSize}): the event of ${request.method} ${request.path} was dropped (${this.#dropped} so far); raise queueSize or look at why writes are slow`,
        ),
      )
      return
    }
    const metadata = Object.fromEntries(
      Object.entries(request).filter(([, value]) => value !== undefined && value !== false),
    )
    this.#queue.push({ context, event: { action: this.#action, metadata } })
    if (!this.#writing) void this.#drain()
  }

  /** Resolves once every event queued so far is written or has failed: await it before closing the database. */
  flush(): Promise<void> {
    if (this.#pending() === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  stats(): RequestAuditStats {
    return {
      written: this.#written,
      failed: this.#failed,
      dropped: this.#dropped,
      pending: this.#pending(),
    }
  }

  #pending(): number {
    return this.#queue.length + (this.#writing ? 1 : 0)
  }

  /** One write at a time: request events never compete with the app for connections. */
  async #drain(): Promise<void> {
    this.#writing = true
    for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
      const { context, event } = next
      try {
        await runInExactAuditContext(context, () => this.#audit.log(event))
        this.#written++
      } catch (error) {
        this.#failed++
        this.#report(
          isChronicleError(error)
            ? error
            : new ChronicleError('AUDIT_FAILED', 'writing a request event failed', {
                cause: error,
              }),
        )
      }
    }
    this.#writing = false
    for (const resolve of this.#idle.splice(0)) resolve()
  }

  #report(error: ChronicleError): void {
    try {
      this.#onError(error)
    } catch (thrown) {
      console.error(thrown)
    }
  }
}

function excluder(exclude: RequestAuditOptions['exclude']): (path: string) => boolean {
  if (exclude === undefined) return () => false
  if (typeof exclude === 'function') return exclude
  const patterns = [...exclude]
  return (path) =>
    patterns.some((pattern) =>
      typeof pattern === 'string'
        ? path === pattern || path.startsWith(pattern.endsWith('/') ? pattern : `${pattern}/`)
        : pattern.test(path),
    )
}
