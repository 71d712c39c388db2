import type {
  DialectName,
  ExactRead,
  InsertValue,
  KeySelect,
  KeySet,
  UserSelection,
  WriteDescription,
  WriteVariant,
} from '@chronicle/core/adapter'
import { ChronicleError } from '@chronicle/core/adapter'
import {
  AliasNode,
  AndNode,
  BinaryOperationNode,
  ColumnNode,
  type CompiledQuery,
  createQueryId,
  DeleteQueryNode,
  FromNode,
  FunctionNode,
  IdentifierNode,
  InsertQueryNode,
  type OperationNode,
  OperationNodeTransformer,
  OperatorNode,
  ParensNode,
  PrimitiveValueListNode,
  type QueryCompiler,
  RawNode,
  ReferenceNode,
  ReturningNode,
  type RootOperationNode,
  SelectAllNode,
  SelectionNode,
  SelectModifierNode,
  SelectQueryNode,
  TableNode,
  TupleNode,
  UpdateQueryNode,
  ValueListNode,
  ValueNode,
  ValuesNode,
  WhereNode,
} from 'kysely'

interface Target {
  /** The audited table, as configured. */
  readonly table: string
  /** The schema the statement names, when the configured name is unqualified. */
  readonly schema?: string
  /** How the statement refers to it: its alias, or its name. */
  readonly ref: string
  /** The node naming it (TableNode or AliasNode), reused in the pre-read's FROM. */
  readonly node: OperationNode
}

type WriteNode = UpdateQueryNode | DeleteQueryNode | InsertQueryNode

function targetOf(
  node: OperationNode | undefined,
): (Omit<Target, 'node'> & { schema?: string }) | undefined {
  if (!node) return undefined
  if (TableNode.is(node)) {
    const name = node.table.identifier.name
    return { table: name, ref: name, schema: node.table.schema?.name }
  }
  if (AliasNode.is(node) && TableNode.is(node.node) && IdentifierNode.is(node.alias)) {
    return {
      table: node.node.table.identifier.name,
      ref: node.alias.name,
      schema: node.node.table.schema?.name,
    }
  }
  return undefined
}

const WRITE_KINDS = new Set([
  'InsertQueryNode',
  'UpdateQueryNode',
  'DeleteQueryNode',
  'MergeQueryNode',
])

/** The tables a FROM, USING, table list or single table node names. */
function tablesIn(node: unknown): string[] {
  if (node === null || typeof node !== 'object') return []
  const single = targetOf(node as OperationNode)
  if (single) return [single.table]
  const record = node as { froms?: unknown[]; items?: unknown[]; tables?: unknown[] }
  return (record.froms ?? record.items ?? record.tables ?? []).flatMap(tablesIn)
}

/** Every table that a write nested in `node` (a WITH clause) targets. */
function nestedWriteTables(node: unknown, found: Set<string> = new Set()): Set<string> {
  if (node === null || typeof node !== 'object') return found
  if (Array.isArray(node)) {
    for (const item of node) nestedWriteTables(item, found)
    return found
  }
  const record = node as Record<string, unknown>
  if (typeof record.kind === 'string' && WRITE_KINDS.has(record.kind)) {
    for (const key of ['into', 'table', 'from', 'using']) {
      for (const table of tablesIn(record[key])) found.add(table)
    }
  }
  for (const value of Object.values(record)) nestedWriteTables(value, found)
  return found
}

function unsupported(message: string, table: string): ChronicleError {
  return new ChronicleError(
    'UNSUPPORTED',
    `${message} on audited table "${table}" cannot be captured`,
    { table },
  )
}

function insertRows(node: InsertQueryNode): ReadonlyMap<string, InsertValue>[] | null {
  const columns = (node.columns ?? []).map((c) => c.column.name)
  if (node.defaultValues) return [new Map()]
  if (!node.values || !ValuesNode.is(node.values)) return null
  return node.values.values.map((item) => {
    const row = new Map<string, InsertValue>()
    columns.forEach((column, i) => {
      if (PrimitiveValueListNode.is(item)) {
        row.set(column, { known: true, value: item.values[i] })
      } else {
        const value = item.values[i]
        row.set(
          column,
          value && ValueNode.is(value) ? { known: true, value: value.value } : { known: false },
        )
      }
    })
    return row
  })
}

/** The output name of a RETURNING selection, or `all` for `*` / `target.*`. */
function selectionOf(node: SelectionNode, table: string): UserSelection {
  const selection = node.selection
  if (SelectAllNode.is(selection)) return { all: true }
  if (AliasNode.is(selection) && IdentifierNode.is(selection.alias)) {
    return { name: selection.alias.name }
  }
  if (ColumnNode.is(selection)) return { name: selection.column.name }
  if (ReferenceNode.is(selection)) {
    if (SelectAllNode.is(selection.column)) return { all: true }
    return { name: selection.column.column.name }
  }
  throw unsupported('a RETURNING expression without an alias', table)
}

/**
 * Translates one Kysely write into core's {@link WriteDescription}: what it writes, and
 * how to print each form core asks for, with Kysely's own compiler. `undefined` for
 * everything Chronicle lets through untouched (reads, raw SQL, writes to tables that are
 * not audited). Writes it cannot capture faithfully fail before they run.
 */
export function describeWrite(
  compiled: CompiledQuery,
  audit: Audited,
  compiler: QueryCompiler,
  dialect: DialectName,
  printed: Map<string, Printed | null>,
): WriteDescription | undefined {
  const node = compiled.query
  // SQL allows writes only at the top and in WITH clauses (PostgreSQL), so only those are walked.
  const withClause = (node as { with?: unknown }).with
  if (withClause) {
    const nested = [...nestedWriteTables(withClause)].find((t) => audit.isAudited(t))
    if (nested) throw unsupported('a write inside a WITH clause', nested)
  }
  const plan = planTopLevel(node, audit)
  if (!plan) return undefined
  const { query, target } = plan
  const printer = new VariantPrinter(
    compiled,
    new VariantForms(query, target, dialect),
    compiler,
    printed,
  )
  const common = {
    table: target.table,
    ...(target.schema !== undefined && { schema: target.schema }),
    userReturning: query.returning
      ? query.returning.selections.map((s) => selectionOf(s, target.table))
      : null,
    statement: (variant: WriteVariant) => printer.print(variant),
  }
  if (UpdateQueryNode.is(query)) {
    return {
      ...common,
      operation: 'update',
      assigns: (query.updates ?? []).map((u) =>
        ColumnNode.is(u.column) ? u.column.column.name : '',
      ),
    }
  }
  if (DeleteQueryNode.is(query)) {
    const multiTable =
      query.using !== undefined || (query.joins?.length ?? 0) > 0 || query.from.froms.length > 1
    return { ...common, operation: 'delete', ...(multiTable && { multiTable }) }
  }
  const insert = query as InsertQueryNode
  const rows = insertRows(insert)
  const action = insert.orAction?.action
  const conflictAction =
    insert.replace === true || action === 'replace'
      ? 'replace'
      : action === 'ignore' ||
          (insert.onConflict !== undefined && insert.onConflict.doNothing === true)
        ? 'nothing'
        : insert.onConflict !== undefined || insert.onDuplicateKey !== undefined
          ? 'update'
          : undefined
  if (conflictAction && rows === null)
    throw unsupported('INSERT … SELECT with conflict handling', target.table)
  const columns = insert.onConflict?.columns?.map((c) => c.column.name)
  return {
    ...common,
    operation: 'insert',
    rows,
    ...(conflictAction && {
      conflict: { action: conflictAction, ...(columns && { columns }) },
    }),
  }
}

/**
 * The audited table a statement's target is: `schema.table` when configured so, else the
 * unqualified configured name (core then checks that the schema is the default one).
 */
function auditedTarget(
  target: (Omit<Target, 'node'> & { schema?: string }) | undefined,
  node: OperationNode,
  audit: Audited,
): Target | undefined {
  if (!target) return undefined
  if (target.schema !== undefined && audit.isAudited(`${target.schema}.${target.table}`)) {
    return { table: `${target.schema}.${target.table}`, ref: target.ref, node }
  }
  if (!audit.isAudited(target.table)) return undefined
  // An unqualified name resolves to a temporary table of that name first.
  if (target.schema === undefined && audit.shadowed.has(target.table)) return undefined
  return { ...target, node }
}

/** Which tables are audited, and which of them a temporary table hides on this connection. */
export interface Audited {
  isAudited(table: string): boolean
  readonly shadowed: ReadonlySet<string>
}

function planTopLevel(
  node: RootOperationNode,
  audit: Audited,
): { query: WriteNode; target: Target } | undefined {
  const isAudited = (table: string) => audit.isAudited(table)
  if (UpdateQueryNode.is(node)) {
    const found = targetOf(node.table)
    if (!found) {
      const hit = tablesIn(node.table).find((t) => isAudited(t))
      if (hit) throw unsupported('a multi-table UPDATE', hit)
      return undefined
    }
    const target = auditedTarget(found, node.table as OperationNode, audit)
    return target && { query: node, target }
  }
  if (DeleteQueryNode.is(node)) {
    const froms = node.from.froms
    const targets = froms.map((f) => auditedTarget(targetOf(f), f, audit))
    const hit = targets.find((t) => t !== undefined)
    if (!hit) return undefined
    if (froms.length !== 1) throw unsupported('a multi-table DELETE', hit.table)
    return { query: node, target: hit }
  }
  if (InsertQueryNode.is(node)) {
    if (!node.into) return undefined
    const target = auditedTarget(targetOf(node.into), node.into, audit)
    return target && { query: node, target }
  }
  if (node.kind === 'MergeQueryNode') {
    const into = (node as { into?: OperationNode }).into
    const target = into && auditedTarget(targetOf(into), into, audit)
    if (target) throw unsupported('MERGE', target.table)
  }
  return undefined
}

const USER = '__chronicle_u'

/** Printed forms kept per statement shape: an application has a fixed set of them. */
const PRINTED_LIMIT = 1000

/** Where each parameter of a printed form comes from. */
type Slot = number | { readonly key: readonly [number, number] } | 'keyColumn'

/** A printed form by shape: its SQL, and where each of its parameters comes from. */
export interface Printed {
  readonly sql: string
  readonly slots: readonly Slot[]
}

/** Stand-ins compiled in place of values, so a form's parameters can be traced to their source. */
class ValueSlot {}
class KeySlot {
  readonly tuple: number
  readonly column: number
  constructor(tuple: number, column: number) {
    this.tuple = tuple
    this.column = column
  }
}

/** The write's tree with every value replaced by a {@link ValueSlot} of its own. */
class SlotTransformer extends OperationNodeTransformer {
  immediate = false
  protected override transformValue(node: ValueNode): ValueNode {
    if (node.immediate) this.immediate = true
    return { ...node, value: new ValueSlot() }
  }
  protected override transformPrimitiveValueList(
    node: PrimitiveValueListNode,
  ): PrimitiveValueListNode {
    return { ...node, values: node.values.map(() => new ValueSlot()) }
  }
}

function variantKey(variant: WriteVariant): string {
  const exact = (variant.exact ?? [])
    .map((read) => `${read.column}\u0001${read.sql.join('\u0001')}`)
    .join('\u0002')
  return `${formKey(variant)}\u0003${exact}`
}

function formKey(variant: WriteVariant): string {
  if (variant.kind === 'select') return `s${variant.lock ? 1 : 0}`
  const keys = !variant.keys
    ? ''
    : 'select' in variant.keys
      ? `${variant.keys.columns.length}q${variant.keys.select}`
      : `${variant.keys.columns.length}x${variant.keys.tuples.length}`
  return `w${variant.returning ? 1 : 0}${variant.inserted ? 1 : 0}:${keys}`
}

/**
 * Prints the forms of one write by editing its Kysely tree and compiling it, once per
 * statement shape: later writes of the same shape reuse the SQL and only place their values.
 */
class VariantPrinter {
  readonly #compiled: CompiledQuery
  readonly #forms: VariantForms
  readonly #compiler: QueryCompiler
  readonly #printed: Map<string, Printed | null>

  constructor(
    compiled: CompiledQuery,
    forms: VariantForms,
    compiler: QueryCompiler,
    printed: Map<string, Printed | null>,
  ) {
    this.#compiled = compiled
    this.#forms = forms
    this.#compiler = compiler
    this.#printed = printed
  }

  print(variant: WriteVariant): { sql: string; params: readonly unknown[] } {
    if (variant.kind === 'write' && !variant.keys && !variant.returning) {
      return { sql: this.#compiled.sql, params: this.#compiled.parameters }
    }
    const cacheKey = `${variantKey(variant)}\u0000${this.#compiled.sql}`
    let printed = this.#printed.get(cacheKey)
    if (printed === undefined) {
      printed = this.#trace(variant)
      if (this.#printed.size >= PRINTED_LIMIT) this.#printed.clear()
      this.#printed.set(cacheKey, printed)
    }
    if (printed === null) return this.#compile(this.#forms.build(variant))
    const original = this.#compiled.parameters
    const keys = variant.kind === 'write' ? variant.keys : undefined
    const tuples = keys && 'tuples' in keys ? keys.tuples : []
    const params = printed.slots.map((slot) =>
      typeof slot === 'number'
        ? original[slot]
        : slot === 'keyColumn'
          ? tuples.map((t) => t[0])
          : tuples[slot.key[0]]?.[slot.key[1]],
    )
    return { sql: printed.sql, params }
  }

  #compile(node: RootOperationNode) {
    const { sql, parameters } = this.#compiler.compileQuery(node, createQueryId())
    return { sql, params: parameters }
  }

  /**
   * Compiles the form once over stand-ins and records where each parameter comes from;
   * `null` when it cannot be traced (a value inlined into the SQL text), so it is compiled
   * every time instead.
   */
  #trace(variant: WriteVariant): Printed | null {
    const transformer = new SlotTransformer()
    const query = transformer.transformNode(this.#forms.query) as WriteNode
    if (transformer.immediate) return null
    const original = this.#compile(query)
    if (original.sql !== this.#compiled.sql) return null
    const position = new Map<unknown, number>(original.params.map((p, i) => [p, i]))
    const slotted: WriteVariant =
      variant.kind === 'write' && variant.keys && 'tuples' in variant.keys
        ? {
            ...variant,
            keys: {
              columns: variant.keys.columns,
              tuples: variant.keys.tuples.map((t, i) => t.map((_, j) => new KeySlot(i, j))),
            },
          }
        : variant
    const form = this.#compile(this.#forms.withQuery(query).build(slotted))
    const slots: Slot[] = []
    for (const param of form.params) {
      if (param instanceof ValueSlot && position.has(param))
        slots.push(position.get(param) as number)
      else if (param instanceof KeySlot) slots.push({ key: [param.tuple, param.column] })
      else if (Array.isArray(param) && param.every((v) => v instanceof KeySlot))
        slots.push('keyColumn')
      else return null
    }
    return { sql: form.sql, slots }
  }
}

/** Builds the forms of one write as Kysely trees. */
class VariantForms {
  readonly query: WriteNode
  readonly #target: Target
  readonly #dialect: DialectName

  constructor(query: WriteNode, target: Target, dialect: DialectName) {
    this.query = query
    this.#target = target
    this.#dialect = dialect
  }

  withQuery(query: WriteNode): VariantForms {
    return new VariantForms(query, this.#target, this.#dialect)
  }

  build(variant: WriteVariant): RootOperationNode {
    return variant.kind === 'select'
      ? this.#select(variant.lock, variant.exact)
      : this.#write(variant)
  }

  /** `SELECT target.* FROM …` with the write's own FROM/USING, joins, WHERE, ORDER BY, LIMIT. */
  #select(lock: boolean, exact: readonly ExactRead[] = []): SelectQueryNode {
    const query = this.query as UpdateQueryNode | DeleteQueryNode
    const target = this.#target
    let froms: readonly OperationNode[]
    if (UpdateQueryNode.is(query)) {
      froms = [target.node, ...(query.from?.froms ?? [])]
    } else {
      const using = query.using?.tables ?? []
      // MySQL's `DELETE FROM t USING t JOIN …` names the target again in USING.
      froms = using.some((t) => targetOf(t)?.ref === target.ref) ? using : [target.node, ...using]
    }
    const locks = lock && this.#dialect !== 'sqlite'
    return {
      ...SelectQueryNode.createFrom(froms, query.with),
      from: FromNode.create(froms),
      selections: [
        SelectionNode.createSelectAllFromTable(TableNode.create(target.ref)),
        ...this.#exact(exact),
      ],
      ...(query.joins && { joins: query.joins }),
      ...(query.where && { where: query.where }),
      ...(query.orderBy && { orderBy: query.orderBy }),
      ...(query.limit && { limit: query.limit }),
      ...(locks && {
        endModifiers: [
          // PostgreSQL can lock the target alone; MariaDB has no `FOR UPDATE OF`.
          this.#dialect === 'postgres'
            ? SelectModifierNode.create('ForUpdate', [TableNode.create(target.ref)])
            : SelectModifierNode.create('ForUpdate'),
        ],
      }),
    }
  }

  #write(variant: Extract<WriteVariant, { kind: 'write' }>): WriteNode {
    let query = this.query
    if (variant.keys && !InsertQueryNode.is(query)) {
      const condition = this.#keyCondition(variant.keys)
      const where = query.where
        ? WhereNode.create(AndNode.create(ParensNode.create(query.where.where), condition))
        : WhereNode.create(condition)
      query = { ...query, where }
    }
    if (!variant.returning) return query
    const ref = this.#target.ref
    const selections: SelectionNode[] = [
      // SQLite's RETURNING sees only the target table, so `*` is the target's row.
      this.#dialect === 'postgres'
        ? SelectionNode.createSelectAllFromTable(TableNode.create(ref))
        : SelectionNode.createSelectAll(),
      ...this.#exact(variant.exact ?? []),
    ]
    query.returning?.selections.forEach((selection, i) => {
      const inner = selection.selection
      if (SelectAllNode.is(inner) || (ReferenceNode.is(inner) && SelectAllNode.is(inner.column)))
        return
      const expression = AliasNode.is(inner) ? inner.node : inner
      selections.push(
        SelectionNode.create(AliasNode.create(expression, IdentifierNode.create(`${USER}${i}`))),
      )
    })
    if (variant.inserted) {
      selections.push(
        SelectionNode.create(
          AliasNode.create(
            RawNode.create(
              ['(', ' = 0)'],
              [ReferenceNode.create(ColumnNode.create('xmax'), TableNode.create(ref))],
            ),
            IdentifierNode.create('__chronicle_inserted'),
          ),
        ),
      )
    }
    return { ...query, returning: ReturningNode.create(selections) }
  }

  /** Each exact read: its SQL around `target.column`, aliased `__chronicle_x<i>`. */
  #exact(exact: readonly ExactRead[]): SelectionNode[] {
    const table = TableNode.create(this.#target.ref)
    return exact.map((read, i) =>
      SelectionNode.create(
        AliasNode.create(
          RawNode.create(
            read.sql,
            read.sql
              .slice(1)
              .map(() => ReferenceNode.create(ColumnNode.create(read.column), table)),
          ),
          IdentifierNode.create(`__chronicle_x${i}`),
        ),
      ),
    )
  }

  /** `target.key = any($1)` (PostgreSQL, one column), else `(k1, k2) in ((?, ?), …)`. */
  #keyCondition(keys: KeySet | KeySelect): OperationNode {
    const ref = TableNode.create(this.#target.ref)
    const column = (c: string) => ReferenceNode.create(ColumnNode.create(c), ref)
    if ('select' in keys) {
      return BinaryOperationNode.create(
        TupleNode.create(keys.columns.map(column)),
        OperatorNode.create('in'),
        RawNode.createWithSql(`(${keys.select})`),
      )
    }
    if (keys.tuples.length === 0) return RawNode.createWithSql('1 = 0')
    const [only] = keys.columns
    if (keys.columns.length === 1 && only !== undefined) {
      const values = keys.tuples.map((t) => t[0])
      return this.#dialect === 'postgres'
        ? BinaryOperationNode.create(
            column(only),
            OperatorNode.create('='),
            FunctionNode.create('any', [ValueNode.create(values)]),
          )
        : BinaryOperationNode.create(
            column(only),
            OperatorNode.create('in'),
            PrimitiveValueListNode.create(values),
          )
    }
    return BinaryOperationNode.create(
      TupleNode.create(keys.columns.map(column)),
      OperatorNode.create('in'),
      ValueListNode.create(
        keys.tuples.map((tuple) => TupleNode.create(tuple.map((v) => ValueNode.create(v)))),
      ),
    )
  }
}
