import type { ChronicleOptions, TableOptions } from '@chronicle/core'
import type { RuntimeDataModel, RuntimeModel } from './prisma-internals.js'

/** A model and the database table it maps to. */
export interface MappedModel {
  readonly name: string
  readonly table: string
  readonly model: RuntimeModel
}

/** Finds a model by its name or by its table's name. */
export function findModel(datamodel: RuntimeDataModel, name: string): MappedModel | undefined {
  for (const [modelName, model] of Object.entries(datamodel.models)) {
    const table = model.dbName ?? modelName
    const qualified = model.schema ? `${model.schema}.${table}` : table
    if (modelName === name || table === name || qualified === name) {
      return { name: modelName, table: qualified, model }
    }
  }
  return undefined
}

/** A field's column name; a name that is no field is taken as a column name already. */
export function columnOf(model: RuntimeModel | undefined, field: string): string {
  return model?.fields.find((f) => f.name === field)?.dbName ?? field
}

/** The field a column belongs to. */
export function fieldOf(model: RuntimeModel | undefined, column: string): string {
  return model?.fields.find((f) => (f.dbName ?? f.name) === column)?.name ?? column
}

/**
 * Options keyed by model and field names, rewritten to table and column names (`@@map`,
 * `@map`, `@@schema`). Names that are no model or field pass as database names.
 */
export function toDatabaseNames(
  options: ChronicleOptions,
  datamodel: RuntimeDataModel | undefined,
): ChronicleOptions {
  if (!datamodel) return options
  const tables: Record<string, TableOptions> = {}
  for (const [name, settings] of Object.entries(options.tables)) {
    const found = findModel(datamodel, name)
    const columns = (list: string | readonly string[] | undefined) =>
      list === undefined
        ? undefined
        : (typeof list === 'string' ? [list] : list).map((f) => columnOf(found?.model, f))
    const primaryKey = columns(settings?.primaryKey)
    const ignore = columns(settings?.ignore)
    const redact = columns(settings?.redact)
    tables[found?.table ?? name] = {
      ...(primaryKey && { primaryKey }),
      ...(ignore && { ignore }),
      ...(redact && { redact }),
    }
  }
  return { ...options, tables: tables as ChronicleOptions['tables'] }
}
