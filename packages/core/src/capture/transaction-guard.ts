import { randomUUID } from 'node:crypto'
import { ChronicleError } from '../errors/chronicle-error.js'

/**
 * One connection's transaction as core must know it: its id (which groups entries), and
 * whether a write in it changed rows whose entries could not be written.
 *
 * MySQL and SQLite undo only the failed statement, so after a failed audit INSERT the
 * user's change would still commit if the app caught the error. Instead of a savepoint
 * around every write (two more statements each), the transaction is doomed: COMMIT is
 * refused and rolls back. Rolling back to a savepoint taken before the write lifts it,
 * because that undoes the change too.
 */
export class TransactionGuard {
  #id: string | null = null
  readonly #savepoints: string[] = []
  /** With `entries: 'at-commit'`: the rows of entries awaiting COMMIT, in write order. */
  readonly #deferred: (readonly unknown[])[] = []
  /** How many deferred rows existed when each savepoint was taken. */
  readonly #marks: number[] = []
  #doom: { readonly error: unknown; readonly depth: number } | undefined

  /** The open transaction's id, `null` outside one. */
  get transactionId(): string | null {
    return this.#id
  }

  begin(): void {
    this.#id = randomUUID()
    this.#clear()
  }

  /** Call before COMMIT: throws when the transaction must roll back instead. */
  assertCommittable(): void {
    const doom = this.#doom
    if (!doom) return
    throw new ChronicleError(
      'AUDIT_FAILED',
      'this transaction changed audited rows whose entries could not be written, so it was rolled back instead of committed',
      { cause: doom.error },
    )
  }

  /** COMMIT or ROLLBACK ended the transaction. */
  end(): void {
    this.#id = null
    this.#clear()
  }

  #clear(): void {
    this.#savepoints.length = 0
    this.#marks.length = 0
    this.#deferred.length = 0
    this.#doom = undefined
  }

  /** Keeps rows of entries (as the audit INSERT takes them) for COMMIT to write. */
  defer(rows: readonly (readonly unknown[])[]): void {
    this.#deferred.push(...rows)
  }

  /** The deferred rows, in write order; the buffer is empty afterwards. */
  takeDeferred(): (readonly unknown[])[] {
    return this.#deferred.splice(0)
  }

  /** A write changed rows but their entries failed: the transaction may no longer commit. */
  doom(error: unknown): void {
    if (this.#id === null) return
    this.#doom ??= { error, depth: this.#savepoints.length }
  }

  savepoint(name: string): void {
    this.#savepoints.push(name)
    this.#marks.push(this.#deferred.length)
  }

  rollbackToSavepoint(name: string): void {
    const index = this.#savepoints.lastIndexOf(name)
    if (index < 0) return
    // The savepoint stays; the ones after it are gone. A doom from after it is undone.
    this.#savepoints.length = index + 1
    this.#marks.length = index + 1
    // The entries of writes after it were undone with them.
    this.#deferred.length = this.#marks[index] as number
    if (this.#doom && index < this.#doom.depth) this.#doom = undefined
  }

  releaseSavepoint(name: string): void {
    const index = this.#savepoints.lastIndexOf(name)
    if (index < 0) return
    this.#savepoints.length = index
    this.#marks.length = index
    if (this.#doom && this.#doom.depth > index) this.#doom = { ...this.#doom, depth: index }
  }
}
