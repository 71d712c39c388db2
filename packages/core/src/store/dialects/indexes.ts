/**
 * The indexes API.md promises, as `name ON table (columns)` fragments; each dialect wraps
 * them in its own CREATE INDEX form (MySQL has no `IF NOT EXISTS` for indexes).
 */
export function auditIndexes(
  table: string,
  quote: (identifier: string) => string,
  actionOpclass = '',
  /** Key prefix lengths for TEXT columns (MySQL can only index a prefix of them). */
  prefixes: Readonly<Record<string, number>> = {},
): string[] {
  const index = (suffix: string, columns: string[]) =>
    `${quote(`${table}_${suffix}_idx`)} ON ${quote(table)} (${columns.join(', ')})`
  const column = (name: string) =>
    prefixes[name] === undefined ? quote(name) : `${quote(name)}(${prefixes[name]})`
  return [
    index('entity', [quote('table_name'), column('entity_id'), quote('id')]),
    index('created_at', [quote('created_at')]),
    index('actor', [column('actor_id'), quote('created_at')]),
    index('action', [`${quote('action')}${actionOpclass}`]),
    index('transaction', [quote('transaction_id')]),
  ]
}
