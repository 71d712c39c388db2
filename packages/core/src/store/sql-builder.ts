import type { SqlDialect, Statement } from './dialect.js'

/**
 * A value bound as exactly this text, never re-encoded for its column: the database's own
 * text of a timestamp or JSON value, which it parses back into the value it held.
 */
export class Verbatim {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}

/**
 * Accumulates SQL text and its values; every value becomes a placeholder, so nothing a
 * caller passes is ever spliced into SQL text.
 */
export class SqlBuilder {
  readonly #parts: string[] = []
  readonly #params: unknown[] = []
  readonly dialect: SqlDialect

  constructor(dialect: SqlDialect) {
    this.dialect = dialect
  }

  raw(text: string): this {
    this.#parts.push(text)
    return this
  }

  /** A quoted, validated identifier. */
  id(identifier: string): this {
    return this.raw(this.dialect.quote(identifier))
  }

  value(value: unknown, type?: string): this {
    this.#params.push(
      value instanceof Verbatim ? value.text : this.dialect.encodeParam(value, type),
    )
    return this.raw(this.dialect.placeholder(this.#params.length))
  }

  /** `(v1, v2, …)` */
  list(values: readonly unknown[]): this {
    this.raw('(')
    values.forEach((value, i) => {
      if (i > 0) this.raw(', ')
      this.value(value)
    })
    return this.raw(')')
  }

  get paramCount(): number {
    return this.#params.length
  }

  build(): Statement {
    return { sql: this.#parts.join(''), params: this.#params }
  }
}
