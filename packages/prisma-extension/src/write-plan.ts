import {
  ChronicleError,
  type ExactRead,
  type InsertValue,
  type KeySelect,
  type KeySet,
  type SqlDialect,
  type UserSelection,
  type WriteDescription,
  type WriteVariant,
} from '@chronicle/core/adapter'
import type { SqlQuery } from '@prisma/driver-adapter-utils'
import type { Node } from 'sql-parser-cst'
import { type ParsedStatement, parseStatement, rangeOf } from './sql/parse-statement.js'
import { TypedArg } from './sql/prisma-args.js'
import { SqlText } from './sql/sql-text.js'

/** Which tables are audited, by database name (`users`, or `schema.users` where configured so). */
export interface Audited {
  isAudited(table: string): boolean
  /** Lower-cased bare names: a statement naming none of them cannot write an audited table. */
  readonly names: readonly string[]
}

type AnyNode = Node & Record<string, unknown>

const WRITES = new Set(['insert_stmt', 'update_stmt', 'delete_stmt'])
const ALLOWED: Record<string, ReadonlySet<string>> = {
  update_stmt: new Set(['update_clause', 'set_clause', 'where_clause', 'returning_clause']),
  delete_stmt: new Set(['delete_clause', 'where_clause', 'returning_clause']),
  insert_stmt: new Set([
    'insert_clause',
    'values_clause',
    'default_values',
    'select_stmt',
    'upsert_clause',
    'on_duplicate_key_update_clause',
    'returning_clause',
  ]),
}

/** MySQL INSERTs whose write form reports inserted ids: how many rows they insert. */
export const insertRowCounts = new WeakMap<readonly unknown[], number>()

function excerpt(sql: string): string {
  return sql.length > 200 ? `${sql.slice(0, 200)}…` : sql
}

function unsupported(what: string, table: string, sql: string): ChronicleError {
  return new ChronicleError(
    'UNSUPPORTED',
    `${what} on audited table "${table}" cannot be captured, so it was not run: ${excerpt(sql)}`,
    { table },
  )
}

interface Target {
  readonly table: string
  readonly schema?: string
  /** The table as the statement writes it (`"public"."users"`), reused in printed forms. */
  readonly text: string
}

function nameOf(node: AnyNode | undefined): { schema?: string; name: string } | undefined {
  if (!node) return undefined
  if (node.type === 'identifier') return { name: node.name as string }
  if (node.type === 'member_expr') {
    const object = node.object as AnyNode
    const property = node.property as AnyNode
    if (object.type === 'identifier' && property.type === 'identifier') {
      return { schema: object.name as string, name: property.name as string }
    }
  }
  return undefined
}

function targetOf(node: AnyNode, sql: string, audited: Audited): Target | undefined {
  const found = nameOf(node)
  if (!found) return undefined
  const [start, end] = rangeOf(node)
  const text = sql.slice(start, end)
  if (found.schema !== undefined && audited.isAudited(`${found.schema}.${found.name}`)) {
    return { table: `${found.schema}.${found.name}`, text }
  }
  if (!audited.isAudited(found.name)) return undefined
  return { table: found.name, text, ...(found.schema !== undefined && { schema: found.schema }) }
}

/** Every table a write nested below the top (a WITH clause, a subquery) targets. */
function nestedWriteTargets(node: unknown, top: unknown, found: AnyNode[]): AnyNode[] {
  if (node === null || typeof node !== 'object') return found
  if (Array.isArray(node)) {
    for (const item of node) nestedWriteTargets(item, top, found)
    return found
  }
  const record = node as AnyNode
  if (record !== top && typeof record.type === 'string' && WRITES.has(record.type)) {
    for (const clause of record.clauses as AnyNode[]) {
      const table = (clause.table ?? (clause.tables as AnyNode | undefined)?.items) as unknown
      for (const t of Array.isArray(table) ? table : [table]) if (t) found.push(t as AnyNode)
    }
  }
  for (const [key, value] of Object.entries(record)) {
    if (key !== 'range') nestedWriteTargets(value, top, found)
  }
  return found
}

/**
 * Translates one statement Prisma sends its driver adapter into core's
 * {@link WriteDescription}; `undefined` for everything Chronicle lets through (reads,
 * transaction control, writes to tables that are not audited). A write to an audited table
 * that it cannot read faithfully is refused before it runs.
 */
export function describeStatement(
  query: SqlQuery,
  dialect: SqlDialect,
  audited: Audited,
): WriteDescription | undefined {
  const { sql } = query
  const lower = sql.toLowerCase()
  const named = audited.names.find((name) => lower.includes(name))
  if (named === undefined) return undefined
  const parsed = parseStatement(sql, dialect.name)
  if (!parsed) {
    if (/\b(insert|update|delete|replace|merge|upsert)\b/.test(lower)) {
      throw unsupported('a statement Chronicle cannot parse', named, sql)
    }
    return undefined
  }
  const root = parsed.node as AnyNode
  for (const nested of nestedWriteTargets(root, root, [])) {
    const target = targetOf(nested, sql, audited)
    if (target) throw unsupported('a write nested in another statement', target.table, sql)
  }
  if (!WRITES.has(root.type)) return undefined
  const clauses = root.clauses as AnyNode[]
  const head = clauses.find((c) => /^(insert|update|delete)_clause$/.test(c.type)) as AnyNode
  const tables = head.type === 'insert_clause' ? [head.table] : (head.tables as AnyNode).items
  const targets = (tables as AnyNode[]).map((t) => ({ node: t, target: targetOf(t, sql, audited) }))
  const hit = targets.find((t) => t.target)?.target
  if (!hit) {
    const aliased = (tables as AnyNode[]).find(
      (t) => t.type === 'alias' && targetOf(t.expr as AnyNode, sql, audited),
    )
    if (aliased) {
      throw unsupported(
        'a write through a table alias',
        String(nameOf(aliased.expr as AnyNode)?.name),
        sql,
      )
    }
    return undefined
  }
  if (targets.length !== 1) throw unsupported('a multi-table write', hit.table, sql)
  const disallowed = clauses.find((c) => !ALLOWED[root.type]?.has(c.type))
  if (disallowed) throw unsupported(`a write with ${disallowed.type}`, hit.table, sql)
  if (
    (head.orAction && head.type !== 'insert_clause') ||
    ((head.modifiers as unknown[]).length > 0 && head.type !== 'insert_clause')
  ) {
    throw unsupported('a write with modifiers', hit.table, sql)
  }
  return new PrismaWrite(query, parsed, hit, dialect).describe()
}

class PrismaWrite {
  readonly #query: SqlQuery
  readonly #parsed: ParsedStatement
  readonly #target: Target
  readonly #dialect: SqlDialect
  readonly #clauses: AnyNode[]

  constructor(query: SqlQuery, parsed: ParsedStatement, target: Target, dialect: SqlDialect) {
    this.#query = query
    this.#parsed = parsed
    this.#target = target
    this.#dialect = dialect
    this.#clauses = (parsed.node as AnyNode).clauses as AnyNode[]
  }

  #clause(type: string): AnyNode | undefined {
    return this.#clauses.find((c) => c.type === type)
  }

  #fail(what: string): ChronicleError {
    return unsupported(what, this.#target.table, this.#query.sql)
  }

  describe(): WriteDescription {
    const target = this.#target
    const type = (this.#parsed.node as AnyNode).type
    const common = {
      table: target.table,
      ...(target.schema !== undefined && { schema: target.schema }),
      userReturning: this.#userReturning(),
      statement: (variant: WriteVariant) => this.#print(variant),
    }
    if (type === 'update_stmt') {
      const set = this.#clause('set_clause') as AnyNode
      return { ...common, operation: 'update', assigns: this.#assigned(set) }
    }
    if (type === 'delete_stmt') return { ...common, operation: 'delete' }
    const rows = this.#rows()
    const conflict = this.#conflict()
    if (conflict && rows === null) throw this.#fail('INSERT … SELECT with conflict handling')
    return { ...common, operation: 'insert', rows, ...(conflict && { conflict }) }
  }

  #assigned(set: AnyNode): string[] {
    return ((set.assignments as AnyNode).items as AnyNode[]).map((a) => {
      const name = nameOf(a.column as AnyNode)?.name
      if (name === undefined) throw this.#fail('an assignment to several columns at once')
      return name
    })
  }

  #userReturning(): UserSelection[] | null {
    const clause = this.#clause('returning_clause')
    if (!clause) return null
    return ((clause.columns as AnyNode).items as AnyNode[]).map((item) => {
      if (item.type === 'alias') return { name: (item.alias as AnyNode).name as string }
      if (item.type === 'all_columns') return { all: true }
      if (item.type === 'identifier') return { name: item.name as string }
      if (item.type === 'member_expr') {
        const property = item.property as AnyNode
        if (property.type === 'all_columns') return { all: true }
        if (property.type === 'identifier') return { name: property.name as string }
      }
      throw this.#fail('a RETURNING expression without an alias')
    })
  }

  #value(node: AnyNode): InsertValue | undefined {
    const { args, argTypes } = this.#query
    if (node.type === 'default') return undefined
    if (node.type === 'parameter') {
      const placeholder = this.#parsed.placeholders.find((p) => p.start === rangeOf(node)[0])
      const arg = placeholder?.arg ?? -1
      return {
        known: true,
        value: TypedArg.of(args[arg], argTypes[arg] as SqlQuery['argTypes'][number]),
      }
    }
    if (node.type === 'null_literal') return { known: true, value: null }
    if (
      node.type === 'number_literal' ||
      node.type === 'string_literal' ||
      node.type === 'boolean_literal'
    ) {
      return { known: true, value: node.value }
    }
    return { known: false }
  }

  #rows(): ReadonlyMap<string, InsertValue>[] | null {
    if (this.#clause('default_values')) return [new Map()]
    const values = this.#clause('values_clause')
    if (!values) return null
    const insert = this.#clause('insert_clause') as AnyNode
    const columnList = insert.columns as AnyNode | undefined
    if (!columnList) throw this.#fail('an INSERT without a column list')
    const columns = ((columnList.expr as AnyNode).items as AnyNode[]).map((c) => c.name as string)
    return ((values.values as AnyNode).items as AnyNode[]).map((item) => {
      const list = item.type === 'paren_expr' ? (item.expr as AnyNode) : undefined
      if (list?.type !== 'list_expr') throw this.#fail('an INSERT row that is not a list of values')
      const row = new Map<string, InsertValue>()
      ;(list.items as AnyNode[]).forEach((node, i) => {
        const value = this.#value(node)
        const column = columns[i]
        if (value && column !== undefined) row.set(column, value)
      })
      return row
    })
  }

  #conflict(): WriteDescription['conflict'] {
    const insert = this.#clause('insert_clause') as AnyNode
    const upserts = this.#clauses.filter((c) => c.type === 'upsert_clause')
    const modifiers = ((insert.modifiers as AnyNode[]) ?? []).map((m) => String(m.name))
    const or = (insert.orAction as AnyNode | undefined)?.actionKw as AnyNode | undefined
    if ((insert.insertKw as AnyNode).name === 'REPLACE' || or?.name === 'REPLACE')
      return { action: 'replace' }
    if (modifiers.includes('IGNORE') || or?.name === 'IGNORE') return { action: 'nothing' }
    if (this.#clause('on_duplicate_key_update_clause')) return { action: 'update' }
    if (upserts.length === 0) return undefined
    if (upserts.length > 1) throw this.#fail('an INSERT with several ON CONFLICT clauses')
    const upsert = upserts[0] as AnyNode
    const action =
      (upsert.action as AnyNode).type === 'upsert_action_nothing' ? 'nothing' : 'update'
    const target = upsert.conflictTarget as AnyNode | undefined
    if (target?.type !== 'paren_expr') return { action }
    const columns = ((target.expr as AnyNode).items as AnyNode[]).map((spec) => {
      const name = nameOf(spec.expr as AnyNode)?.name
      if (name === undefined) throw this.#fail('an ON CONFLICT target on an expression')
      return name
    })
    return { action, columns }
  }

  #text(): SqlText {
    return new SqlText(this.#query.sql, this.#parsed.placeholders)
  }

  #print(variant: WriteVariant) {
    const { args, argTypes } = this.#query
    if (variant.kind === 'select') {
      const out = this.#text().text('SELECT *')
      this.#exact(out, variant.exact ?? [])
      out.text(` FROM ${this.#target.text}`)
      const where = this.#clause('where_clause')
      if (where) out.text(' WHERE ').slice(...rangeOf(where.expr as AnyNode))
      if (variant.lock) out.text(this.#dialect.lockSuffix)
      return out.print(this.#dialect, args, argTypes)
    }
    const out = this.#text()
    const keys = variant.keys
    let keysWritten = keys === undefined
    let first = true
    const separate = () => {
      if (!first) out.text(' ')
      first = false
    }
    for (const clause of this.#clauses) {
      if (clause.type === 'returning_clause') {
        if (!keysWritten) {
          separate()
          this.#keyFilter(out.text('WHERE '), keys as KeySet | KeySelect)
          keysWritten = true
        }
        if (variant.returning) continue
      }
      separate()
      if (clause.type === 'where_clause' && keys) {
        out
          .text('WHERE (')
          .slice(...rangeOf(clause.expr as AnyNode))
          .text(') AND ')
        this.#keyFilter(out, keys)
        keysWritten = true
        continue
      }
      out.slice(...rangeOf(clause))
    }
    if (!keysWritten) this.#keyFilter(out.text(' WHERE '), keys as KeySet | KeySelect)
    if (variant.returning) {
      this.#returning(out.text(' '), variant.inserted === true, variant.exact ?? [])
    }
    const statement = out.print(this.#dialect, args, argTypes)
    const rows = this.#clause('values_clause')
    if (this.#dialect.name === 'mysql' && rows && !this.#conflict()) {
      insertRowCounts.set(statement.params, ((rows.values as AnyNode).items as unknown[]).length)
    }
    return statement
  }

  /**
   * RETURNING the target's row, then the exact reads, then the caller's selections aliased,
   * then the upsert flag.
   */
  #returning(out: SqlText, inserted: boolean, exact: readonly ExactRead[]): void {
    const table = this.#target.text
    // SQLite's RETURNING sees only the target table, and rejects a qualified `*`.
    out.text(`RETURNING ${this.#dialect.name === 'postgres' ? `${table}.*` : '*'}`)
    this.#exact(out, exact)
    const clause = this.#clause('returning_clause')
    const items = clause ? ((clause.columns as AnyNode).items as AnyNode[]) : []
    items.forEach((item, i) => {
      const expression = item.type === 'alias' ? (item.expr as AnyNode) : item
      const star =
        expression.type === 'all_columns' ||
        (expression.type === 'member_expr' &&
          (expression.property as AnyNode).type === 'all_columns')
      if (star) return
      out
        .text(', ')
        .slice(...rangeOf(expression))
        .text(` AS __chronicle_u${i}`)
    })
    if (inserted) out.text(`, (${table}.xmax = 0) AS __chronicle_inserted`)
  }

  /** Each exact read, after a comma: its SQL around `<target>.<column>`, aliased `__chronicle_x<i>`. */
  #exact(out: SqlText, exact: readonly ExactRead[]): void {
    exact.forEach((read, i) => {
      const column = `${this.#target.text}.${this.#dialect.quote(read.column)}`
      out.text(`, ${read.sql.join(column)} AS __chronicle_x${i}`)
    })
  }

  /** `t.k IN (…)`, `(t.k1, t.k2) IN ((…), …)`, or `1 = 0` for no keys. */
  #keyFilter(out: SqlText, keys: KeySet | KeySelect): void {
    const column = (c: string) => `${this.#target.text}.${this.#dialect.quote(c)}`
    if ('select' in keys) {
      out.text(`(${keys.columns.map(column).join(', ')}) IN (${keys.select})`)
      return
    }
    if (keys.tuples.length === 0) {
      out.text('1 = 0')
      return
    }
    const single = keys.columns.length === 1
    out.text(
      single ? column(keys.columns[0] as string) : `(${keys.columns.map(column).join(', ')})`,
    )
    out.text(' IN (')
    keys.tuples.forEach((tuple, i) => {
      if (i > 0) out.text(', ')
      if (!single) out.text('(')
      tuple.forEach((value, j) => {
        if (j > 0) out.text(', ')
        out.value(value)
      })
      if (!single) out.text(')')
    })
    out.text(')')
  }
}
