import { ChronicleError } from '@chronicle/core'
import { ENTRY_FILTERS } from './entry-filters.js'

const invalid = (message: string) => new ChronicleError('INVALID_FILTER', message)

/**
 * The query string as one string per name: unknown and repeated names are refused, empty
 * values count as absent (a form's empty field). Values are validated by core, which
 * answers INVALID_FILTER in the words the rest of Chronicle uses.
 */
export function queryParams(url: URL, allowed: readonly string[]): Partial<Record<string, string>> {
  const out: Partial<Record<string, string>> = {}
  for (const [name, value] of url.searchParams) {
    if (!allowed.includes(name)) {
      throw invalid(`unknown parameter "${name}": expected ${allowed.join(', ')}`)
    }
    if (url.searchParams.getAll(name).length > 1) throw invalid(`parameter "${name}" is repeated`)
    if (value !== '') out[name] = value
  }
  return out
}

/** An integer parameter (limit, an audit id); core checks its range. */
export function integerParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^-?\d{1,16}$/.test(value)) throw invalid(`${name} must be an integer, got "${value}"`)
  return Number(value)
}

/** A required integer path or query parameter. */
export function requiredInteger(value: string | undefined, name: string): number {
  const parsed = integerParam(value, name)
  if (parsed === undefined) throw invalid(`${name} is required`)
  return parsed
}

/** The entry filters present in `query`. */
export function entryFilter(query: Partial<Record<string, string>>) {
  const filter: Partial<Record<(typeof ENTRY_FILTERS)[number], string>> = {}
  for (const name of ENTRY_FILTERS) {
    if (query[name] !== undefined) filter[name] = query[name]
  }
  return filter
}
