import { ChronicleError } from '@chronicle/core'
import {
  AliasNode,
  DeleteQueryNode,
  IdentifierNode,
  InsertQueryNode,
  type OperationNode,
  PrimitiveValueListNode,
  type RootOperationNode,
  TableNode,
  UpdateQueryNode,
  ValueNode,
  ValuesNode,
} from 'kysely'

/** A column value in an INSERT: known when it is a plain value, unknown for expressions. */
export type InsertValue =
  | { readonly known: true; readonly value: unknown }
  | { readonly known: false }

interface Target {
  /** The audited table. */
  readonly table: string
  /** How the statement refers to it: its alias, or its name. */
  readonly ref: string
  /** The node naming it (TableNode or AliasNode), reused in the pre-read's FROM. */
  readonly node: OperationNode
}

export type WritePlan =
  | (Target & { readonly kind: 'update'; readonly query: UpdateQueryNode })
  | (Target & { readonly kind: 'delete'; readonly query: DeleteQueryNode })
  | (Target & {
      readonly kind: 'insert'
      readonly query: InsertQueryNode
      /** Column → value per row; `null` for INSERT … SELECT. */
      readonly rows: ReadonlyMap<string, InsertValue>[] | null
      /** The statement may hit an existing row (upsert, ignore, replace). */
      readonly conflict: boolean
      /** ON CONFLICT (columns), when named. */
      readonly conflictColumns: readonly string[] | undefined
    })

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

/**
 * Reads a compiled query's operation tree: which audited table it writes and how. Returns
 * `undefined` for everything Chronicle lets through untouched (reads, raw SQL, writes to
 * tables that are not audited). Writes it cannot capture faithfully fail before they run.
 */
export function planWrite(
  node: RootOperationNode,
  isAudited: (table: string) => boolean,
): WritePlan | undefined {
  const audited = (t: { table: string; schema?: string } | undefined) =>
    t !== undefined && isAudited(t.table)
  // SQL allows writes only at the top and in WITH clauses (PostgreSQL), so only those are walked.
  const withClause = (node as { with?: unknown }).with
  if (withClause) {
    const nested = [...nestedWriteTables(withClause)].find(isAudited)
    if (nested) throw unsupported('a write inside a WITH clause', nested)
  }
  return planTopLevel(node, audited)
}

function planTopLevel(
  node: RootOperationNode,
  audited: (t: { table: string; schema?: string } | undefined) => boolean,
): WritePlan | undefined {
  if (UpdateQueryNode.is(node)) {
    const target = targetOf(node.table)
    if (!target) {
      const hit = tablesIn(node.table).find((t) => audited({ table: t }))
      if (hit) throw unsupported('a multi-table UPDATE', hit)
      return undefined
    }
    if (!audited(target)) return undefined
    if (target.schema) throw unsupported('a schema-qualified UPDATE', target.table)
    return {
      kind: 'update',
      query: node,
      node: node.table as OperationNode,
      table: target.table,
      ref: target.ref,
    }
  }
  if (DeleteQueryNode.is(node)) {
    const froms = node.from.froms
    const targets = froms.map(targetOf)
    if (!targets.some(audited)) return undefined
    const [target] = targets
    if (froms.length !== 1 || !target)
      throw unsupported('a multi-table DELETE', targets.find(audited)?.table ?? '')
    if (target.schema) throw unsupported('a schema-qualified DELETE', target.table)
    return {
      kind: 'delete',
      query: node,
      node: froms[0] as OperationNode,
      table: target.table,
      ref: target.ref,
    }
  }
  if (InsertQueryNode.is(node)) {
    const target = targetOf(node.into)
    if (!audited(target) || !target || !node.into) return undefined
    if (target.schema) throw unsupported('a schema-qualified INSERT', target.table)
    const rows = insertRows(node)
    const action = node.orAction?.action
    const conflict =
      node.onConflict !== undefined ||
      node.onDuplicateKey !== undefined ||
      node.replace === true ||
      action === 'ignore' ||
      action === 'replace'
    if (conflict && rows === null)
      throw unsupported('INSERT … SELECT with conflict handling', target.table)
    return {
      kind: 'insert',
      query: node,
      node: node.into,
      table: target.table,
      ref: target.ref,
      rows,
      conflict,
      conflictColumns: node.onConflict?.columns?.map((c) => c.column.name),
    }
  }
  if (node.kind === 'MergeQueryNode') {
    const target = targetOf((node as { into?: OperationNode }).into)
    if (audited(target)) throw unsupported('MERGE', target?.table ?? '')
  }
  return undefined
}
