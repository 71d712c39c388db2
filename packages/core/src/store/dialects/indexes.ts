/**
 * The indexes API.md promises, as `name ON table (columns)` fragments; each dialect wraps
 * them in its own CREATE INDEX form (MySQL has no `IF NOT EXISTS` for indexes).
 */
export function auditIndexes(
  table: string,
  quote: (identifier: string) => string,
  actionOpclass = '',
): string[] {
  const index = (suffix: string, columns: string[]) =>
    `${quote(`${table}_${suffix}_idx`)} ON ${quote(table)} (${columns.join(', ')})`
  return [
    index('entity', [quote('table_name'), quote('entity_id'), quote('id')]),
    index('created_at', [quote('created_at')]),
    index('actor', [quote('actor_id'), quote('created_at')]),
    index('action', [`${quote('action')}${actionOpclass}`]),
    index('transaction', [quote('transaction_id')]),
  ]
}
