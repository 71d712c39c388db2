import type { SqlDialect, Statement } from '@chronicle/core/adapter'
import type { ArgType } from './prisma-args.js'
import { TypedArg } from './prisma-args.js'

/** A parameter of the statement Prisma sent: where it sits in the text, and which argument it binds. */
export interface Placeholder {
  readonly start: number
  readonly end: number
  /** Index into the statement's arguments. */
  readonly arg: number
}

type Piece = string | { readonly arg: number } | { readonly value: unknown }

/**
 * Prints a new statement out of pieces of the one Prisma sent: slices of its text (its
 * parameters renumbered for the dialect and bound to the same arguments, with their Prisma
 * types) and new values. Nothing is re-generated from a tree, so what Prisma wrote is what runs.
 */
export class SqlText {
  readonly #pieces: Piece[] = []
  readonly #source: string
  readonly #placeholders: readonly Placeholder[]

  constructor(source: string, placeholders: readonly Placeholder[]) {
    this.#source = source
    this.#placeholders = placeholders
  }

  text(sql: string): this {
    this.#pieces.push(sql)
    return this
  }

  /** The source text from `start` to `end`, its parameters kept. */
  slice(start: number, end: number): this {
    let at = start
    for (const p of this.#placeholders) {
      if (p.start < start || p.end > end) continue
      this.#pieces.push(this.#source.slice(at, p.start), { arg: p.arg })
      at = p.end
    }
    this.#pieces.push(this.#source.slice(at, end))
    return this
  }

  value(value: unknown): this {
    this.#pieces.push({ value })
    return this
  }

  print(dialect: SqlDialect, args: readonly unknown[], argTypes: readonly ArgType[]): Statement {
    let sql = ''
    const params: unknown[] = []
    for (const piece of this.#pieces) {
      if (typeof piece === 'string') {
        sql += piece
        continue
      }
      params.push(
        'arg' in piece ? TypedArg.of(args[piece.arg], argTypes[piece.arg] as ArgType) : piece.value,
      )
      sql += dialect.placeholder(params.length)
    }
    return { sql, params }
  }
}
