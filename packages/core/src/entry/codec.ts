import { type ExactKind, isPlainObject } from '../store/dialect.js'
import { Verbatim } from '../store/sql-builder.js'

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

/**
 * Tags: `date` a JS `Date` (ISO text, UTC); `timestamp` the database's own date-time text,
 * all fractional digits kept (zone-less, or UTC with `Z`); `json` the database's JSON text,
 * where plain JSON would lose something; `bigint`, `bytes`, `number` (NaN, ±Infinity, -0).
 */
type TaggedType = 'date' | 'timestamp' | 'json' | 'bigint' | 'bytes' | 'number'

/**
 * How the adapter's driver reads a zone-less date-time (`timestamp`, `DATETIME`) into a `Date`:
 * as local time (pg, mysql2) or as UTC (Prisma's driver adapters). Entries decode such
 * values the same way, so they equal what the ORM reads.
 */
export type ZonelessTimestamps = 'local' | 'utc'

/** A zone-less date-time text: no `Z` or offset after the time. */
const ZONELESS = /T\d\d:\d\d:\d\d(?:\.\d+)?$/

/**
 * A column value read twice: as the driver gave it, and as the database's own text
 * (`SqlDialect.exactText`). Snapshots keep the text where the driver's value loses something.
 */
export class DatabaseText {
  readonly text: string
  readonly kind: ExactKind
  readonly value: unknown
  constructor(text: string, kind: ExactKind, value: unknown) {
    this.text = text
    this.kind = kind
    this.value = value
  }
}

/** A date-time as a database prints it (`2024-01-01 10:00:00.123456`, or with `T`). */
const DATE_TIME = /^(\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?$/

/** JSON strings (skipped) and numbers, to find numbers a JS number would round. */
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*/g

/** True when `parsed` stands for `text` exactly, so the snapshot can hold it as plain JSON. */
function exactJson(text: string, parsed: JsonValue, kind: ExactKind): boolean {
  // JSON null would read back as SQL NULL, a top-level string as plain text.
  if (parsed === null || typeof parsed === 'string') return false
  if (kind === 'json') return JSON.stringify(parsed) === text
  // jsonb normalises keys and spacing itself: only its exact decimal numbers can be lost.
  for (const [token] of text.matchAll(JSON_TOKEN)) {
    if (token[0] !== '"' && String(Number(token)) !== token) return false
  }
  return true
}

function encodeExact({ text, kind, value }: DatabaseText): [JsonValue, TaggedType?] {
  if (kind === 'text') return [text]
  if (kind === 'json' || kind === 'jsonb') {
    let parsed: JsonValue
    try {
      parsed = JSON.parse(text) as JsonValue
    } catch {
      // Not JSON after all (a text column taken for MariaDB JSON): as the driver gave it.
      return encodeValue(value)
    }
    return exactJson(text, parsed, kind) ? [parsed] : [text, 'json']
  }
  // A driver's own date text (mysql2 `dateStrings`) is exact already; so is `infinity`.
  const match = value instanceof Date ? DATE_TIME.exec(text) : null
  if (!match) return encodeValue(value)
  // At least milliseconds, as `Date#toISOString` prints them: equal instants, equal text.
  const fraction = (match[3] ?? '').padEnd(3, '0')
  return [`${match[1]}T${match[2]}.${fraction}${kind === 'timestamptz' ? 'Z' : ''}`, 'timestamp']
}

function encodeValue(value: unknown): [JsonValue, TaggedType?] {
  if (value === null || value === undefined) return [null]
  if (value instanceof DatabaseText) return encodeExact(value)
  if (value instanceof Date)
    return [Number.isNaN(value.getTime()) ? null : value.toISOString(), 'date']
  if (typeof value === 'bigint') return [value.toString(), 'bigint']
  if (value instanceof Uint8Array) return [Buffer.from(value).toString('base64'), 'bytes']
  if (typeof value === 'number' && !Number.isFinite(value)) return [String(value), 'number']
  if (Object.is(value, -0)) return ['-0', 'number']
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return [value]
  }
  // JSON columns: normalise through JSON so the stored form is exactly what is compared.
  return [JSON.parse(JSON.stringify(value)) as JsonValue]
}

function decodeValue(
  value: JsonValue,
  type: TaggedType | undefined,
  zoneless: ZonelessTimestamps = 'local',
): unknown {
  if (value === null || type === undefined) return value
  switch (type) {
    case 'date':
      return new Date(value as string)
    case 'timestamp':
      // A zone-less date-time reads as the adapter's driver reads it (local time by default).
      return new Date(
        zoneless === 'utc' && ZONELESS.test(value as string) ? `${value}Z` : (value as string),
      )
    case 'json':
      return JSON.parse(value as string)
    case 'bigint':
      return BigInt(value as string)
    case 'bytes':
      return Buffer.from(value as string, 'base64')
    case 'number':
      return Number(value)
  }
}

/**
 * A decoded value (an entry, a row, a diff) as plain JSON, every scalar encoded as snapshots
 * store it: dates as ISO text, bigints as decimal text, binary as base64, NaN, ±Infinity and
 * -0 as text. Unlike a snapshot it carries no `$types`: it is for reading, not for restoring.
 *
 * ### Examples
 * ```ts
 * toJsonValue({ id: 1n, at: new Date(0), avatar: Buffer.from('hi') })
 * // { id: '1', at: '1970-01-01T00:00:00.000Z', avatar: 'aGk=' }
 * ```
 */
export function toJsonValue(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(toJsonValue)
  if (isPlainObject(value)) {
    const out: Record<string, JsonValue> = {}
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = toJsonValue(item)
    }
    return out
  }
  return encodeValue(value)[0]
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
export function decodeRow<Row = Record<string, unknown>>(
  encoded: EncodedRow | null,
  zoneless?: ZonelessTimestamps,
): Row | null {
  if (encoded === null) return null
  const types = (encoded[TYPES_KEY] ?? {}) as Record<string, TaggedType>
  const out: Record<string, unknown> = {}
  for (const [column, value] of Object.entries(encoded)) {
    if (column === TYPES_KEY) continue
    out[column] = decodeValue(value, types[column], zoneless)
  }
  return out as Row
}

/**
 * A captured value as a statement parameter that matches the database's value exactly:
 * the stored text where the driver's value is inexact (a `Date` would lose microseconds).
 */
export function exactParam(value: unknown): unknown {
  if (!(value instanceof DatabaseText)) return value
  const [json, type] = encodeValue(value)
  return type === 'timestamp' || type === 'json' || value.kind === 'text' ? json : value.value
}

/**
 * The values that write an encoded row back exactly: the database's own texts verbatim
 * (JSON `null` and top-level JSON strings included), `-0` as text (drivers print it `0`),
 * everything else decoded for the driver.
 */
export function writableRow(encoded: EncodedRow): Record<string, unknown> {
  const types = (encoded[TYPES_KEY] ?? {}) as Record<string, TaggedType>
  const out: Record<string, unknown> = {}
  for (const [column, value] of Object.entries(encoded)) {
    if (column === TYPES_KEY) continue
    const type = types[column]
    if (value !== null && (type === 'timestamp' || type === 'json')) {
      out[column] = new Verbatim(value as string)
    } else if (type === 'number' && value === '-0') {
      out[column] = new Verbatim('-0')
    } else {
      out[column] = decodeValue(value, type)
    }
  }
  return out
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
