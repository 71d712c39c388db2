import type { ArgType, ColumnType, SqlResultSet } from '@prisma/driver-adapter-utils'

export type { ArgType, ColumnType }

/**
 * An argument of a statement Prisma sent, with the type Prisma gave it: Prisma passes
 * bytes as base64 and dates as text, and only the type tells the driver adapter so. It
 * travels through core (key lookups, printed forms) and is unwrapped at the adapter.
 */
export class TypedArg {
  readonly value: unknown
  readonly type: ArgType

  private constructor(value: unknown, type: ArgType) {
    this.value = value
    this.type = type
  }

  /** `null` stays `null`, so core sees a missing value as one. */
  static of(value: unknown, type: ArgType): unknown {
    return value === null || value === undefined ? null : new TypedArg(value, type)
  }
}

const scalar = (scalarType: ArgType['scalarType']): ArgType => ({ scalarType, arity: 'scalar' })

/** The Prisma argument type of a value core binds (keys it read, audit rows). */
function argTypeOf(value: unknown): ArgType {
  if (typeof value === 'string') return scalar('string')
  if (typeof value === 'number') return scalar(Number.isInteger(value) ? 'int' : 'float')
  if (typeof value === 'bigint') return scalar('bigint')
  if (typeof value === 'boolean') return scalar('boolean')
  if (value instanceof Date) return scalar('datetime')
  if (value instanceof Uint8Array) return scalar('bytes')
  return scalar('unknown')
}

/** Arguments and their types for the driver adapter. */
export function toPrismaArgs(params: readonly unknown[]): { args: unknown[]; argTypes: ArgType[] } {
  const args: unknown[] = []
  const argTypes: ArgType[] = []
  for (const param of params) {
    if (param instanceof TypedArg) {
      args.push(param.value)
      argTypes.push(param.type)
    } else {
      args.push(param ?? null)
      argTypes.push(argTypeOf(param))
    }
  }
  return { args, argTypes }
}

// Values of these column types come back from driver adapters as text; core stores the
// values an application reads (Date, parsed JSON, Buffer), as every other adapter does.
const DATE = new Set<number>([8, 10])
const JSON_TYPE = 11
const BYTES = 13
const INT32 = 0
const INT64 = 1

function fromPrisma(value: unknown, type: ColumnType | undefined): unknown {
  if (value === null || value === undefined) return null
  if (type !== undefined && DATE.has(type) && typeof value === 'string') return new Date(value)
  if (type === JSON_TYPE && typeof value === 'string') return JSON.parse(value)
  if (type === BYTES && value instanceof Uint8Array) return Buffer.from(value)
  if ((type === INT64 || type === INT32) && typeof value === 'string') {
    // Integers beyond 2^53 (text from the adapter; SQLite's INTEGER is typed Int32) as
    // bigint, as Prisma gives them (a BigInt field, a raw query).
    const number = Number(value)
    return Number.isSafeInteger(number) ? number : BigInt(value)
  }
  return value
}

/**
 * Rows as objects, values as an application reads them: JSON columns parsed, as pg and
 * mysql2 do (MariaDB's JSON included), so entries read as they do through Kysely; the
 * exact reads keep the database's text where parsing loses something.
 */
export function rowsOf(result: SqlResultSet): Record<string, unknown>[] {
  const { columnNames, columnTypes } = result
  return result.rows.map((values) => {
    const row: Record<string, unknown> = {}
    columnNames.forEach((name, i) => {
      row[name] = fromPrisma(values[i], columnTypes[i])
    })
    return row
  })
}

/** Back to what Prisma reads from a driver adapter. */
export function toPrismaValue(value: unknown, type: ColumnType | undefined): unknown {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value.toISOString()
  if (type === JSON_TYPE && typeof value !== 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return value.toString()
  return value
}
