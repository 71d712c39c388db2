import type { DialectName } from '@chronicle/core/adapter'
import { type Node, parse, type Statement as SqlStatement } from 'sql-parser-cst'
import type { Placeholder } from './sql-text.js'

const PARSER_DIALECT = { sqlite: 'sqlite', postgres: 'postgresql', mysql: 'mariadb' } as const

/** One statement Prisma sent, parsed: its tree and where its parameters are. */
export interface ParsedStatement {
  readonly node: SqlStatement
  readonly placeholders: readonly Placeholder[]
}

/** Statements by text: Prisma sends the same few shapes over and over. */
const CACHE_LIMIT = 500
/** Longer texts are bulk writes whose row count varies: caching them would only hold memory. */
const CACHED_LENGTH = 4096
const cache = new Map<string, ParsedStatement | null>()

function placeholdersIn(node: unknown, found: Placeholder[], dollar: boolean): void {
  if (node === null || typeof node !== 'object') return
  if (Array.isArray(node)) {
    for (const item of node) placeholdersIn(item, found, dollar)
    return
  }
  const record = node as { type?: string; text?: string; range?: [number, number] }
  if (record.type === 'parameter' && record.range && record.text) {
    const [start, end] = record.range
    // `$n` names its argument; `?` takes the next one, in text order (sorted below).
    found.push({ start, end, arg: dollar ? Number(record.text.slice(1)) - 1 : -1 })
    return
  }
  for (const [key, value] of Object.entries(record)) {
    if (key !== 'range') placeholdersIn(value, found, dollar)
  }
}

/**
 * Parses one statement with sql-parser-cst. `null` when it cannot be parsed or holds more
 * than one statement: the caller refuses it if it may write an audited table.
 */
export function parseStatement(sql: string, dialect: DialectName): ParsedStatement | null {
  const key = `${dialect}\u0000${sql}`
  const cached = cache.get(key)
  if (cached !== undefined) return cached
  let parsed: ParsedStatement | null = null
  try {
    const program = parse(sql, {
      dialect: PARSER_DIALECT[dialect],
      includeRange: true,
      paramTypes: dialect === 'postgres' ? ['$nr'] : ['?'],
    })
    const statements = program.statements.filter((s) => s.type !== 'empty')
    const [node] = statements
    if (statements.length === 1 && node) {
      const found: Placeholder[] = []
      placeholdersIn(node, found, dialect === 'postgres')
      found.sort((a, b) => a.start - b.start)
      const placeholders = dialect === 'postgres' ? found : found.map((p, i) => ({ ...p, arg: i }))
      parsed = { node, placeholders }
    }
  } catch {
    parsed = null
  }
  if (sql.length <= CACHED_LENGTH) {
    if (cache.size >= CACHE_LIMIT) cache.clear()
    cache.set(key, parsed)
  }
  return parsed
}

/** A node's `[start, end)` in the source. */
export function rangeOf(node: Node): [number, number] {
  const range = (node as { range?: [number, number] }).range
  if (!range) throw new Error('sql-parser-cst gave a node without a range')
  return range
}
