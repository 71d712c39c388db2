import { InvalidArgumentError } from 'commander'

/** Commander argument parsers: a bad value is a usage error (exit 2) naming the flag. */
export function positiveInt(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a whole number ≥ 1.')
  }
  return n
}

export function wholeNumber(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected a whole number ≥ 0.')
  }
  return n
}

export function port(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new InvalidArgumentError('expected a port, 0 to 65535 (0 takes a free one).')
  }
  return n
}

export function isoTime(value: string): string {
  if (Number.isNaN(new Date(value).getTime())) {
    throw new InvalidArgumentError(
      'expected an ISO-8601 date or time, like 2026-01-31 or 2026-01-31T23:59:59Z.',
    )
  }
  return value
}

/** An entity id: text, or a JSON array for a composite key (`'[1,"eu"]'`). */
export function entityKey(value: string): string | unknown[] {
  if (!value.startsWith('[')) return value
  try {
    const parsed: unknown = JSON.parse(value)
    if (Array.isArray(parsed)) return parsed
  } catch {}
  throw new InvalidArgumentError('a composite key is a JSON array, like \'[1,"eu"]\'.')
}
