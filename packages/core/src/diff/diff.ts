import type { Operation } from 'fast-json-patch'
import jsonpatch from 'fast-json-patch'
import { canonicalJson, type EncodedRow, TYPES_KEY } from '../entry/codec.js'

/** An RFC 6902 operation. */
export type PatchOperation = Operation

/** Columns whose stored value differs between two encoded rows (either may lack a column). */
export function changedColumns(before: EncodedRow, after: EncodedRow): string[] {
  const columns = new Set([...Object.keys(before), ...Object.keys(after)])
  columns.delete(TYPES_KEY)
  const changed: string[] = []
  for (const column of columns) {
    const types = (row: EncodedRow) =>
      (row[TYPES_KEY] as Record<string, unknown> | undefined)?.[column]
    const a = before[column]
    const b = after[column]
    // Most columns hold primitives: compare them directly, canonicalise only structures.
    const differs =
      a !== b &&
      (typeof a !== 'object' || typeof b !== 'object' || canonicalJson(a) !== canonicalJson(b))
    if (differs || types(before) !== types(after)) {
      changed.push(column)
    }
  }
  return changed
}

function withoutTypes(row: EncodedRow | null): Record<string, unknown> {
  if (row === null) return {}
  const { [TYPES_KEY]: _types, ...rest } = row
  return rest
}

/** The RFC 6902 patch that turns `from` into `to` (a missing row is `{}`). */
export function patchBetween(from: EncodedRow | null, to: EncodedRow | null): PatchOperation[] {
  return jsonpatch.compare(withoutTypes(from), withoutTypes(to))
}
