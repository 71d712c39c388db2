import type { AuditEntry, EntityKey, PointInTime, TableRepo, VersionDiff } from '@chronicle/core'
import { ChronicleError } from '@chronicle/core/adapter'
import { Prisma } from '@prisma/client/extension'
import { withChronicleErrors } from './error-scope.js'
import { columnOf, fieldOf, findModel } from './model-names.js'
import { type RuntimeDataModel, type RuntimeModel, runtimeDataModel } from './prisma-internals.js'

type Row = Record<string, unknown>

/** A model's row as Prisma returns it: its fields, with Prisma's value types. */
export type ModelRow<T> = Prisma.Result<T, object, 'findFirstOrThrow'>

/** The model methods the extension adds to every model delegate. */
export type PrismaModelMethods = {
  history<T>(
    this: T,
    id: EntityKey,
    options?: { readonly limit?: number; readonly order?: 'asc' | 'desc' },
  ): Promise<AuditEntry<ModelRow<T>>[]>
  stateAt<T>(this: T, id: EntityKey, at: PointInTime): Promise<ModelRow<T> | null>
  diff<T>(
    this: T,
    id: EntityKey,
    options: { readonly from: number; readonly to?: number },
  ): Promise<VersionDiff<ModelRow<T>>>
}

/** A column value as Prisma gives the field: bigint, boolean, Date, parsed JSON. */
function toFieldValue(value: unknown, type: string | undefined): unknown {
  if (value === null || value === undefined) return value
  if (type === 'BigInt' && (typeof value === 'number' || typeof value === 'string'))
    return BigInt(value)
  if (type === 'Boolean' && typeof value === 'number') return value !== 0
  if (type === 'DateTime' && typeof value === 'string') return new Date(value)
  if (type === 'Json' && typeof value === 'string') {
    try {
      return JSON.parse(value)
    } catch {
      return value
    }
  }
  return value
}

/** A stored row (table columns) as the model's row (fields, Prisma value types). */
function toModelRow(row: Row | null, model: RuntimeModel): Row | null {
  if (row === null) return null
  const out: Row = {}
  for (const [column, value] of Object.entries(row)) {
    const field = fieldOf(model, column)
    out[field] = toFieldValue(value, model.fields.find((f) => f.name === field)?.type)
  }
  return out
}

function toModelEntry(entry: AuditEntry, model: RuntimeModel): AuditEntry {
  return {
    ...entry,
    oldValues: toModelRow(entry.oldValues as Row | null, model),
    newValues: toModelRow(entry.newValues as Row | null, model),
    changedFields: entry.changedFields.map((column) => fieldOf(model, column)),
  }
}

/** A key given with field names, as columns. */
function toColumnKey(key: EntityKey, model: RuntimeModel): EntityKey {
  if (key === null || typeof key !== 'object' || Array.isArray(key)) return key
  return Object.fromEntries(
    Object.entries(key as Row).map(([field, value]) => [columnOf(model, field), value]),
  )
}

/**
 * A Prisma client with the extension: each model delegate gains the model methods, typed
 * with its model, and the client gains `$audit`.
 */
export type AuditedPrismaClient<Client, Audit> = {
  [K in keyof Client]: Client[K] extends { findFirst: unknown }
    ? Client[K] & PrismaModelMethods
    : Client[K]
} & { readonly $audit: Audit }

interface ModelContext {
  readonly $name?: string
}

/**
 * The Prisma client extension behind `audit.extension()`: model methods over the audit's
 * table repos, and `$audit`. It hands the client's data model to the audit, which maps
 * model and field names in its options to tables and columns.
 */
export function prismaExtension<A extends object>(
  audit: A,
  table: (name: string) => TableRepo<Row>,
  onDatamodel: (datamodel: RuntimeDataModel) => void,
) {
  let datamodel: RuntimeDataModel | undefined
  const repo = (that: unknown): { repo: TableRepo<Row>; model: RuntimeModel } => {
    const name = (Prisma.getExtensionContext(that) as ModelContext).$name
    const found = datamodel && name !== undefined ? findModel(datamodel, name) : undefined
    if (!found) {
      throw new ChronicleError(
        'UNKNOWN_TABLE',
        `model "${String(name)}" is not in the client's schema`,
      )
    }
    return { repo: table(found.table), model: found.model }
  }
  const methods: PrismaModelMethods = {
    async history(id, options) {
      const { repo: tableRepo, model } = repo(this)
      const entries = await tableRepo.history(toColumnKey(id, model), options)
      return entries.map((entry) => toModelEntry(entry, model)) as never
    },
    async stateAt(id, at) {
      const { repo: tableRepo, model } = repo(this)
      return toModelRow(await tableRepo.stateAt(toColumnKey(id, model), at), model) as never
    },
    async diff(id, options) {
      const { repo: tableRepo, model } = repo(this)
      const diff = await tableRepo.diff(toColumnKey(id, model), options)
      return {
        ...diff,
        from: toModelRow(diff.from as Row | null, model),
        to: toModelRow(diff.to as Row | null, model),
        changedFields: diff.changedFields.map((column) => fieldOf(model, column)),
      } as never
    },
  }
  return Prisma.defineExtension((client) => {
    datamodel = runtimeDataModel(client)
    if (datamodel) onDatamodel(datamodel)
    return client.$extends({
      name: '@chronicle/prisma',
      client: { $audit: audit },
      model: { $allModels: methods },
      query: {
        $allOperations: ({ args, query }) => withChronicleErrors(() => query(args)),
      },
    })
  })
}
