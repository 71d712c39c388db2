import { getDialect } from '@chronicle/core/adapter'
import type { TestDatabase } from './databases.js'

/**
 * Writes `count` synthetic entries straight into the audit table with one SQL statement
 * (generate_series / recursive CTE / MariaDB's sequence engine), each carrying a
 * `payloadBytes`-long string in new_values. For volume tests of reads and exports.
 */
export async function seedEntries(
  db: TestDatabase,
  count: number,
  payloadBytes = 64,
): Promise<void> {
  const q = getDialect(db.dialect).quote
  const columns = `${q('created_at')}, ${q('transaction_id')}, ${q('action')}, ${q('table_name')}, ${q('entity_id')}, ${q('new_values')}, ${q('actor_id')}, ${q('hash')}`
  if (db.dialect === 'postgres') {
    await db.exec(
      `INSERT INTO audit_logs (${columns}) SELECT now(), 'seed', 'INSERT', 'users', n::text, jsonb_build_object('id', n, 'pad', repeat('x', ${payloadBytes})), 'seed', NULL FROM generate_series(1, ${count}) AS n`,
    )
  } else if (db.dialect === 'sqlite') {
    await db.exec(
      `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${count})
       INSERT INTO audit_logs (${columns}) SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'seed', 'INSERT', 'users', CAST(n AS TEXT), json_object('id', n, 'pad', printf('%.*c', ${payloadBytes}, 'x')), 'seed', NULL FROM s`,
    )
  } else {
    await db.exec(
      `INSERT INTO audit_logs (${columns}) SELECT UTC_TIMESTAMP(3), 'seed', 'INSERT', 'users', CAST(seq AS CHAR), JSON_OBJECT('id', seq, 'pad', REPEAT('x', ${payloadBytes})), 'seed', NULL FROM seq_1_to_${count}`,
    )
  }
}
