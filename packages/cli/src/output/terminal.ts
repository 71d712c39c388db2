import pc from 'picocolors'

export type Colors = ReturnType<typeof pc.createColors>

/**
 * Colours only on a terminal, never when piped or under NO_COLOR (https://no-color.org);
 * FORCE_COLOR turns them on anyway.
 */
export function colorsFor(stream: NodeJS.WriteStream): Colors {
  const env = process.env
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
  const enabled =
    forced || (stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb')
  return pc.createColors(enabled)
}

/** Where a command writes: lines for people on stdout, notes on stderr. */
export interface Output {
  readonly colors: Colors
  line(text?: string): void
  note(text: string): void
  json(value: unknown): void
}

/** JSON for machines: dates as ISO text, bigints as decimal text, binary as base64. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
  if (value instanceof Map) return Object.fromEntries(value)
  return value
}

export function stdOutput(): Output {
  return {
    colors: colorsFor(process.stdout),
    line: (text = '') => void process.stdout.write(`${text}\n`),
    note: (text) => void process.stderr.write(`${text}\n`),
    json: (value) => void process.stdout.write(`${JSON.stringify(value, replacer, 2)}\n`),
  }
}
