import {
  ChronicleError,
  type DialectName,
  type ExactRead,
  type InsertValue,
  type KeySelect,
  type KeySet,
  type WriteDescription,
  type WriteVariant,
} from '@chronicle/core/adapter'
import {
  and,
  type Column,
  fillPlaceholders,
  getTableColumns,
  getTableName,
  is,
  Param,
  Placeholder,
  SQL,
  sql,
} from 'drizzle-orm'
import {
  columnDefaults,
  columnName,
  type DrizzleDialect,
  isColumn,
  type OrderedField,
  tableIdentity,
  tableSchema,
  type WriteConfig,
  writeConfig,
} from './drizzle-internals.js'

export type WriteKind = 'insert' | 'update' | 'delete'

/** An upsert's clause as the builder method that added it was called. */
export interface Conflict {
  readonly action: 'update' | 'nothing'
  readonly columns?: readonly string[]
}

/** What a write needs from the db it runs on. */
export interface PlanContext {
  readonly dialect: DrizzleDialect
  readonly name: DialectName
  /** The configured table a write to `table` (in `schema`) audits, if any. */
  audited(table: string, schema: string | undefined): { table: string; schema?: string } | undefined
}

const USER = '__chronicle_u'

function unsupported(what: string, table: string): ChronicleError {
  return new ChronicleError(
    'UNSUPPORTED',
    `${what} on audited table "${table}" cannot be captured`,
    {
      table,
    },
  )
}

/** A selected field as SQL: a column, an expression, or an aliased expression's inner SQL. */
function fieldSql(field: unknown): SQL {
  if (is(field, SQL.Aliased)) return field.sql
  if (is(field, SQL)) return field
  return sql`${field as Column}`
}

/** A value Drizzle will bind, as the driver gets it; unknown for SQL expressions. */
function knownValue(value: unknown, placeholders: Record<string, unknown>): InsertValue {
  if (!is(value, Param)) return { known: false }
  const raw = is(value.value, Placeholder) ? placeholders[value.value.name] : value.value
  const encoder = value.encoder as { mapToDriverValue?: (v: unknown) => unknown } | undefined
  return {
    known: true,
    value: raw == null || !encoder?.mapToDriverValue ? raw : encoder.mapToDriverValue(raw),
  }
}

/** A runtime default's value as Drizzle would bind it. */
function defaultParam(result: unknown, column: Column): unknown {
  return is(result, SQL) ? result : new Param(result, column)
}

/**
 * Translates one Drizzle insert, update or delete builder into core's
 * {@link WriteDescription}, printing each form core asks for with Drizzle's own dialect.
 * `undefined` when the table is not audited. Runtime defaults (`$defaultFn`,
 * `$onUpdateFn`) are evaluated once here, so every form carries the same values.
 */
export function describeWrite(
  kind: WriteKind,
  builder: object,
  context: PlanContext,
  conflicts: readonly Conflict[],
  placeholders: Record<string, unknown>,
): WriteDescription | undefined {
  const config = writeConfig(builder)
  const { table } = config
  const identity = tableIdentity(table)
  const target = context.audited(identity.name, tableSchema(table))
  if (!target) return undefined
  if (identity.alias) throw unsupported('a write through a table alias', target.table)
  if (config.withList && config.withList.length > 0)
    throw unsupported('a write with a WITH clause', target.table)
  if (config.from !== undefined || (config.joins && config.joins.length > 0))
    throw unsupported('an UPDATE with FROM or joins', target.table)
  const { dialect, name } = context
  const columns = Object.entries(getTableColumns(table)) as [string, Column][]
  const mysqlReturningIds = name === 'mysql' && kind === 'insert' && config.returning !== undefined
  const returning = mysqlReturningIds ? undefined : config.returning
  const fixed: WriteConfig = { ...config }
  const common = {
    table: target.table,
    ...(target.schema !== undefined && { schema: target.schema }),
    userReturning: returning ? returning.map((_, i) => ({ name: String(i) })) : null,
  }
  let description: Omit<WriteDescription, 'statement' | 'table' | 'userReturning'>
  if (kind === 'update') {
    const set: Record<string, unknown> = { ...config.set }
    for (const [key, column] of columns) {
      const { onUpdateFn } = columnDefaults(column)
      if (set[key] === undefined && onUpdateFn) set[key] = defaultParam(onUpdateFn(), column)
    }
    fixed.set = set
    description = {
      operation: 'update',
      assigns: columns
        .filter(([key]) => set[key] !== undefined)
        .map(([, c]) => columnName(dialect, c)),
    }
  } else if (kind === 'delete') {
    description = { operation: 'delete' }
  } else {
    if (conflicts.length > 1) throw unsupported('more than one ON CONFLICT clause', target.table)
    const [clause] = conflicts
    const conflict: Conflict | undefined =
      clause ??
      (config.ignore
        ? { action: 'nothing' }
        : config.onConflict !== undefined && name === 'mysql'
          ? { action: 'update' }
          : undefined)
    let rows: Map<string, InsertValue>[] | null = null
    if (!config.select && Array.isArray(config.values)) {
      const values = (config.values as Record<string, unknown>[]).map((row) => {
        const filled: Record<string, unknown> = { ...row }
        for (const [key, column] of columns) {
          const value = filled[key]
          if (value !== undefined && !(is(value, Param) && value.value === undefined)) continue
          const { defaultFn, onUpdateFn, hasDefault } = columnDefaults(column)
          if (defaultFn) filled[key] = defaultParam(defaultFn(), column)
          else if (!hasDefault && onUpdateFn) filled[key] = defaultParam(onUpdateFn(), column)
        }
        return filled
      })
      fixed.values = values
      rows = values.map(
        (row) =>
          new Map(
            columns
              .filter(([key]) => row[key] !== undefined)
              .map(([key, column]) => [
                columnName(dialect, column),
                knownValue(row[key], placeholders),
              ]),
          ),
      )
    }
    if (conflict && rows === null)
      throw unsupported('INSERT … SELECT with conflict handling', target.table)
    description = {
      operation: 'insert',
      rows,
      ...(conflict && {
        conflict: {
          action: conflict.action,
          ...(conflict.columns && { columns: conflict.columns }),
        },
      }),
    }
  }
  const printer = new VariantPrinter(kind, fixed, returning, context, placeholders)
  return {
    ...common,
    ...description,
    statement: (variant: WriteVariant) => printer.print(variant),
  }
}

/** Prints the forms of one write by rebuilding it with Drizzle's dialect and `sql` template. */
class VariantPrinter {
  readonly #kind: WriteKind
  readonly #config: WriteConfig
  readonly #returning: readonly OrderedField[] | undefined
  readonly #context: PlanContext
  readonly #placeholders: Record<string, unknown>

  constructor(
    kind: WriteKind,
    config: WriteConfig,
    returning: readonly OrderedField[] | undefined,
    context: PlanContext,
    placeholders: Record<string, unknown>,
  ) {
    this.#kind = kind
    this.#config = config
    this.#returning = returning
    this.#context = context
    this.#placeholders = placeholders
  }

  print(variant: WriteVariant): { sql: string; params: unknown[] } {
    const query = this.#context.dialect.sqlToQuery(
      variant.kind === 'select'
        ? this.#select(variant.lock, variant.exact ?? [])
        : this.#write(variant),
    )
    return { sql: query.sql, params: fillPlaceholders(query.params, this.#placeholders) }
  }

  /** `SELECT <target>.* FROM <target>` with the write's WHERE, ORDER BY and LIMIT. */
  #select(lock: boolean, exact: readonly ExactRead[]): SQL {
    const { table, where, orderBy, limit } = this.#config
    const name = this.#context.name
    // An aliased SQL in a plain template prints its alias only: print `expr as alias` here.
    const reads = this.#exact(exact).map(({ field }) => {
      const { sql: expression, fieldAlias } = field as SQL.Aliased
      return sql`, ${expression} as ${sql.identifier(fieldAlias)}`
    })
    const chunks = [sql`select ${table}.*${sql.join(reads)} from ${table}`]
    if (where) chunks.push(sql` where ${where}`)
    if (orderBy && orderBy.length > 0)
      chunks.push(sql` order by ${sql.join(orderBy as SQL[], sql`, `)}`)
    if (limit !== undefined) chunks.push(sql` limit ${limit}`)
    if (lock && name === 'postgres')
      chunks.push(sql` for update of ${sql.identifier(getTableName(table))}`)
    else if (lock && name === 'mysql') chunks.push(sql` for update`)
    return sql.join(chunks)
  }

  #write(variant: Extract<WriteVariant, { kind: 'write' }>): SQL {
    const config: WriteConfig = { ...this.#config, returning: undefined }
    if (variant.keys && this.#kind !== 'insert') {
      const condition = this.#keyCondition(variant.keys)
      config.where = config.where ? and(config.where, condition) : condition
    }
    if (variant.returning) {
      config.returning = this.#returningFields(variant.inserted === true, variant.exact ?? [])
    }
    const { dialect } = this.#context
    if (this.#kind === 'update') return dialect.buildUpdateQuery(config)
    if (this.#kind === 'delete') return dialect.buildDeleteQuery(config)
    const built = dialect.buildInsertQuery(config)
    const insert = is(built, SQL) ? built : built.sql
    // Drizzle's MySQL dialect prints no RETURNING for an insert; MariaDB 10.5+ takes one.
    if (!config.returning || this.#context.name !== 'mysql') return insert
    const fields = config.returning.map(({ field }) =>
      is(field, SQL.Aliased)
        ? sql`${field.sql} as ${sql.identifier(field.fieldAlias)}`
        : (field as SQL),
    )
    return sql`${insert} returning ${sql.join(fields, sql`, `)}`
  }

  /**
   * `<target>.*`, the exact reads, the caller's fields aliased `__chronicle_u<i>`, then
   * `xmax = 0`.
   */
  #returningFields(inserted: boolean, exact: readonly ExactRead[]): OrderedField[] {
    const { table } = this.#config
    const all = this.#context.name === 'postgres' ? sql`${table}.*` : sql.raw('*')
    const fields: OrderedField[] = [
      { path: ['__chronicle_all'], field: all },
      ...this.#exact(exact),
    ]
    this.#returning?.forEach(({ field }, i) => {
      fields.push({ path: [`${USER}${i}`], field: fieldSql(field).as(`${USER}${i}`) })
    })
    if (inserted) {
      fields.push({
        path: ['__chronicle_inserted'],
        field: sql`(xmax = 0)`.as('__chronicle_inserted'),
      })
    }
    return fields
  }

  /** Each exact read: its SQL around `<target>.<column>`, aliased `__chronicle_x<i>`. */
  #exact(exact: readonly ExactRead[]): OrderedField[] {
    const { table } = this.#config
    return exact.map((read, i) => {
      const column = sql`${table}.${sql.identifier(read.column)}`
      const chunks = read.sql.flatMap((text, j) =>
        j === 0 ? [sql.raw(text)] : [column, sql.raw(text)],
      )
      return { path: [`__chronicle_x${i}`], field: sql.join(chunks).as(`__chronicle_x${i}`) }
    })
  }

  /** `target.key = any($1)` (PostgreSQL, one column), else `(k1, k2) in ((?, ?), …)`. */
  #keyCondition(keys: KeySet | KeySelect): SQL {
    const { table } = this.#config
    const column = (c: string) => sql`${table}.${sql.identifier(c)}`
    if ('select' in keys) {
      return sql`(${sql.join(keys.columns.map(column), sql`, `)}) in (${sql.raw(keys.select)})`
    }
    if (keys.tuples.length === 0) return sql`1 = 0`
    const list = (values: readonly unknown[]) =>
      sql.join(
        values.map((v) => sql.param(v)),
        sql`, `,
      )
    const [only] = keys.columns
    if (keys.columns.length === 1 && only !== undefined) {
      const values = keys.tuples.map((t) => t[0])
      return this.#context.name === 'postgres'
        ? sql`${column(only)} = any(${sql.param(values)})`
        : sql`${column(only)} in (${list(values)})`
    }
    return sql`(${sql.join(keys.columns.map(column), sql`, `)}) in (${sql.join(
      keys.tuples.map((t) => sql`(${list(t)})`),
      sql`, `,
    )})`
  }
}

/** The conflict target a builder's `onConflictDo…({ target })` names, as SQL column names. */
export function conflictColumns(dialect: DrizzleDialect, target: unknown): string[] | undefined {
  if (target === undefined) return undefined
  const list = Array.isArray(target) ? target : [target]
  return list.filter(isColumn).map((c) => columnName(dialect, c))
}
