import Table from 'cli-table3'
import type { Colors } from './terminal.js'

/** `2026-01-15 10:00:00` in UTC, the zone the audit trail stores. */
export function formatTime(date: Date | null | undefined): string {
  if (!date) return '-'
  return date.toISOString().replace('T', ' ').slice(0, 19)
}

export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10)
}

/** One value as shown in a change: JSON for strings and objects, NULL for null, shortened. */
export function formatValue(value: unknown, max = 60): string {
  const text =
    value === null || value === undefined
      ? 'NULL'
      : value instanceof Date
        ? value.toISOString()
        : typeof value === 'bigint'
          ? value.toString()
          : value instanceof Uint8Array
            ? `<${value.length} bytes>`
            : JSON.stringify(value)
  return text.length > max ? `${text.slice(0, max - 3)}...` : text
}

export const formatCount = (n: number) => n.toLocaleString('en-US')

export const formatShare = (share: number) => `${(share * 100).toFixed(1)}%`

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`
}

/** `+ ~ -` for row changes (green, yellow, red); an event keeps its name. */
export function actionSymbol(action: string, colors: Colors): string {
  if (action === 'INSERT') return colors.green('+')
  if (action === 'UPDATE') return colors.yellow('~')
  if (action === 'DELETE') return colors.red('-')
  return colors.cyan(action)
}

export function colorAction(action: string, colors: Colors): string {
  if (action === 'INSERT') return colors.green(action)
  if (action === 'UPDATE') return colors.yellow(action)
  if (action === 'DELETE') return colors.red(action)
  return colors.cyan(action)
}

const NO_BORDER = Object.fromEntries(
  ['top', 'top-mid', 'top-left', 'top-right', 'bottom', 'bottom-mid', 'bottom-left', 'bottom-right']
    .concat(['left', 'left-mid', 'mid', 'mid-mid', 'right', 'right-mid'])
    .map((key) => [key, '']),
)

/** Aligned columns without borders (easy to read and to grep); plain when piped. */
export function renderTable(head: string[], rows: string[][], colors: Colors): string {
  const table = new Table({
    head: head.map((h) => colors.bold(h)),
    chars: { ...NO_BORDER, middle: '  ' },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  })
  table.push(...rows)
  return table.toString()
}

export const RULE = '─'.repeat(50)

/** `14 days, 1 hours`: how long a span of time is, to the hour. */
export function formatSpan(ms: number): string {
  const hours = Math.floor(ms / 3_600_000)
  const days = Math.floor(hours / 24)
  if (days > 0) return `${days} days, ${hours % 24} hours`
  if (hours > 0) return `${hours} hours, ${Math.floor((ms % 3_600_000) / 60_000)} minutes`
  return `${Math.floor(ms / 60_000)} minutes, ${Math.floor((ms % 60_000) / 1000)} seconds`
}
