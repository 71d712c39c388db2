import { isPlainObject } from '../store/dialect.js'

/** A value JSON can hold as is. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue }

/** A row as stored in `old_values` / `new_values`: plain JSON, plus `$types` when needed. */
export type EncodedRow = Record<string, JsonValue>

/** What a redacted column holds in every snapshot and diff. */
export const REDACTED = '[REDACTED]'

/**
 * Under this key a snapshot records which columns held a JS type JSON cannot express, so
 * that decoding gives back exactly what the ORM gave. Queries on the JSON stay natural:
 * `new_values->>'created_at'` is the ISO string.
 */
export const TYPES_KEY = '$types'

type TaggedType = 'date' | 'bigint' | 'bytes' | 'number'

function encodeValue(value: unknown): [JsonValue, TaggedType?] {
  if (value === null || value === undefined) return [null]
  if (value instanceof Date)
    return [Number.isNaN(value.getTime()) ? null : value.toISOString(), 'date']
  if (typeof value === 'bigint') return [value.toString(), 'bigint']
  if (value instanceof Uint8Array) return [Buffer.from(value).toString('base64'), 'bytes']
  if (typeof value === 'number' && !Number.isFinite(value)) return [String(value), 'number']
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return [value]
  }
  // JSON columns: normalise through JSON so the stored form is exactly what is compared.
  return [JSON.parse(JSON.stringify(value)) as JsonValue]
}

function decodeValue(value: JsonValue, type: TaggedType | undefined): unknown {
  if (value === null || type === undefined) return value
  switch (type) {
    case 'date':
      return new Date(value as string)
    case 'bigint':
      return BigInt(value as string)
    case 'bytes':
      return Buffer.from(value as string, 'base64')
    case 'number':
      return Number(value)
  }
}

/** Encodes a row for storage; columns in `redact` become {@link REDACTED}. */
export function encodeRow(
  row: Readonly<Record<string, unknown>>,
  redact?: ReadonlySet<string>,
): EncodedRow {
  const out: EncodedRow = {}
  let types: Record<string, TaggedType> | undefined
  for (const [column, value] of Object.entries(row)) {
    if (value === undefined) continue
    if (redact?.has(column)) {
      out[column] = REDACTED
      continue
    }
    const [json, type] = encodeValue(value)
    out[column] = json
    if (type) {
      types ??= {}
      types[column] = type
    }
  }
  if (types) out[TYPES_KEY] = types
  return out
}

/** Gives back the row the ORM saw (dates, bigints and binary restored). */
export function decodeRow<Row = Record<string, unknown>>(encoded: EncodedRow | null): Row | null {
  if (encoded === null) return null
  const types = (encoded[TYPES_KEY] ?? {}) as Record<string, TaggedType>
  const out: Record<string, unknown> = {}
  for (const [column, value] of Object.entries(encoded)) {
    if (column === TYPES_KEY) continue
    out[column] = decodeValue(value, types[column])
  }
  return out as Row
}

/** Keeps only `columns` of an encoded row, with their type tags. */
export function pickEncoded(row: EncodedRow, columns: readonly string[]): EncodedRow {
  const out: EncodedRow = {}
  const types = row[TYPES_KEY] as Record<string, JsonValue> | undefined
  let picked: Record<string, JsonValue> | undefined
  for (const column of columns) {
    if (column in row) out[column] = row[column] as JsonValue
    if (types && column in types) {
      picked ??= {}
      picked[column] = types[column] as JsonValue
    }
  }
  if (picked) out[TYPES_KEY] = picked
  return out
}

/** Merges snapshots left to right, type tags included: `{ ...new_values, ...old_values }`. */
export function mergeEncoded(...rows: EncodedRow[]): EncodedRow {
  const out: EncodedRow = {}
  const types: Record<string, JsonValue> = {}
  for (const row of rows) {
    const rowTypes = (row[TYPES_KEY] ?? {}) as Record<string, JsonValue>
    for (const [column, value] of Object.entries(row)) {
      if (column === TYPES_KEY) continue
      out[column] = value
      if (column in rowTypes) types[column] = rowTypes[column] as JsonValue
      else delete types[column]
    }
  }
  if (Object.keys(types).length > 0) out[TYPES_KEY] = types
  return out
}

/** Column names repeat in every row of a write: each is quoted once. */
const quotedKeys = new Map<string, string>()

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key)
  if (quoted === undefined) {
    quoted = JSON.stringify(key)
    if (quotedKeys.size >= 4096) quotedKeys.clear()
    quotedKeys.set(key, quoted)
  }
  return quoted
}

/**
 * JSON with object keys sorted at every depth: equal values give equal text, whatever order
 * a database returns keys in (PostgreSQL's JSONB reorders them). Hot on the write path, so
 * written with plain loops.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i])
    return `${out}]`
  }
  if (!isPlainObject(value)) return JSON.stringify(value)
  const keys = Object.keys(value).sort()
  let out = '{'
  let first = true
  for (const key of keys) {
    const item = value[key]
    if (item === undefined) continue
    out += `${first ? '' : ','}${quotedKey(key)}:${canonicalJson(item)}`
    first = false
  }
  return `${out}}`
}

/**
 * The text form of a primary key: the value itself for one column, a JSON array for a
 * composite key. Equal keys always give equal text, whatever type the driver returned.
 */
export function encodeEntityId(values: readonly unknown[]): string {
  if (values.length === 1) {
    // The common key, hot in bulk writes: a string or a finite number is its own text.
    const [only] = values
    if (typeof only === 'string') return only
    if (typeof only === 'number' && Number.isFinite(only)) return String(only)
  }
  const encoded = values.map((v) => encodeValue(v)[0])
  if (encoded.length === 1) {
    const [only] = encoded
    return typeof only === 'string' ? only : JSON.stringify(only)
  }
  return JSON.stringify(encoded)
}

/** Parses a JSON column as the driver returned it (text on SQLite/MySQL, parsed on PostgreSQL). */
export function parseJsonColumn<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return JSON.parse(value) as T
  if (value instanceof Uint8Array) return JSON.parse(Buffer.from(value).toString('utf8')) as T
  return value as T
}
