import { createHash, randomUUID } from 'node:crypto'
import type { RawDriver } from './targets.ts'

/** The audit table the floor writes: created by `createAuditTable`, so it has Chronicle's indexes. */
export const FLOOR_LOG = 'floor_log'
export const FLOOR_TABLE = 'items_floor'

type Row = Record<string, unknown>
const COLUMNS =
  'created_at, transaction_id, action, table_name, entity_id, old_values, new_values, changed_fields, actor_id, actor_type, ip_address, user_agent, metadata, hash'

/**
 * What a hand-built audited write costs on the same driver, with nothing generic in between:
 * BEGIN, the write with RETURNING (MariaDB, which has no UPDATE … RETURNING: the write, then
 * a read of the row), one prepared INSERT into an audit table with Chronicle's indexes, COMMIT.
 * The entry is JSON text and a SHA-256, as Chronicle's are.
 */
export interface Floor {
  insert(id: number, values: { name: string; score: number; note: string | null }): Promise<void>
  update(id: number, score: number): Promise<void>
  delete(id: number): Promise<void>
  close(): Promise<void>
}

function entry(
  action: string,
  id: unknown,
  before: Row | null,
  after: Row | null,
  at: string | Date,
): (string | Date | null)[] {
  const oldValues = before && JSON.stringify(before)
  const newValues = after && JSON.stringify(after)
  const hash = createHash('sha256').update(`${action}${id}${oldValues}${newValues}`).digest('hex')
  return [
    at,
    randomUUID(),
    action,
    FLOOR_TABLE,
    String(id),
    oldValues,
    newValues,
    null,
    null,
    null,
    null,
    null,
    null,
    hash,
  ]
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')
const mysqlTime = (d: Date) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`

export function floor(raw: RawDriver): Floor {
  if (raw.kind === 'sqlite') {
    const { db } = raw
    const begin = db.prepare('BEGIN IMMEDIATE')
    const commit = db.prepare('COMMIT')
    const audit = db.prepare(
      `INSERT INTO ${FLOOR_LOG} (${COLUMNS}) VALUES (${Array(14).fill('?').join(', ')})`,
    )
    const insert = db.prepare(
      `INSERT INTO ${FLOOR_TABLE} (id, name, score, note) VALUES (?, ?, ?, ?) RETURNING *`,
    )
    const update = db.prepare(`UPDATE ${FLOOR_TABLE} SET score = ? WHERE id = ? RETURNING *`)
    const remove = db.prepare(`DELETE FROM ${FLOOR_TABLE} WHERE id = ? RETURNING *`)
    const write = (action: string, run: () => Row | undefined, isDelete = false) => {
      begin.run()
      try {
        const row = run()
        if (row) {
          audit.run(
            entry(
              action,
              row.id,
              isDelete ? row : null,
              isDelete ? null : row,
              new Date().toISOString(),
            ),
          )
        }
        commit.run()
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw error
      }
    }
    return {
      insert: async (id, v) =>
        write('INSERT', () => insert.get(id, v.name, v.score, v.note) as Row | undefined),
      update: async (id, score) => write('UPDATE', () => update.get(score, id) as Row | undefined),
      delete: async (id) => write('DELETE', () => remove.get(id) as Row | undefined, true),
      close: async () => undefined,
    }
  }
  if (raw.kind === 'postgres') {
    const { pool } = raw
    const audit = {
      name: 'floor_audit',
      text: `INSERT INTO ${FLOOR_LOG} (${COLUMNS}) VALUES (${Array.from({ length: 14 }, (_, i) => `$${i + 1}`).join(', ')})`,
    }
    const write = async (
      action: string,
      statement: { name: string; text: string },
      values: unknown[],
      isDelete = false,
    ) => {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const { rows } = await client.query<Row>({ ...statement, values })
        const row = rows[0]
        if (row) {
          await client.query({
            ...audit,
            values: entry(action, row.id, isDelete ? row : null, isDelete ? null : row, new Date()),
          })
        }
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK')
        throw error
      } finally {
        client.release()
      }
    }
    return {
      insert: (id, v) =>
        write(
          'INSERT',
          {
            name: 'floor_insert',
            text: `INSERT INTO ${FLOOR_TABLE} (id, name, score, note) VALUES ($1, $2, $3, $4) RETURNING *`,
          },
          [id, v.name, v.score, v.note],
        ),
      update: (id, score) =>
        write(
          'UPDATE',
          {
            name: 'floor_update',
            text: `UPDATE ${FLOOR_TABLE} SET score = $1 WHERE id = $2 RETURNING *`,
          },
          [score, id],
        ),
      delete: (id) =>
        write(
          'DELETE',
          { name: 'floor_delete', text: `DELETE FROM ${FLOOR_TABLE} WHERE id = $1 RETURNING *` },
          [id],
          true,
        ),
      close: () => pool.end(),
    }
  }
  const { pool } = raw
  const audit = `INSERT INTO ${FLOOR_LOG} (${COLUMNS}) VALUES (${Array(14).fill('?').join(', ')})`
  const write = async (
    action: string,
    run: (c: Awaited<ReturnType<typeof pool.getConnection>>) => Promise<Row | undefined>,
    isDelete = false,
  ) => {
    const connection = await pool.getConnection()
    try {
      await connection.query('BEGIN')
      const row = await run(connection)
      if (row) {
        await connection.execute(
          audit,
          entry(
            action,
            row.id,
            isDelete ? row : null,
            isDelete ? null : row,
            mysqlTime(new Date()),
          ),
        )
      }
      await connection.query('COMMIT')
    } catch (error) {
      await connection.query('ROLLBACK')
      throw error
    } finally {
      connection.release()
    }
  }
  const first = (result: unknown) => (result as [Row[]])[0][0]
  return {
    insert: (id, v) =>
      write('INSERT', async (c) =>
        first(
          await c.execute(
            `INSERT INTO ${FLOOR_TABLE} (id, name, score, note) VALUES (?, ?, ?, ?) RETURNING *`,
            [id, v.name, v.score, v.note] as (string | number | null)[],
          ),
        ),
      ),
    update: (id, score) =>
      write('UPDATE', async (c) => {
        await c.execute(`UPDATE ${FLOOR_TABLE} SET score = ? WHERE id = ?`, [score, id])
        return first(await c.execute(`SELECT * FROM ${FLOOR_TABLE} WHERE id = ?`, [id]))
      }),
    delete: (id) =>
      write(
        'DELETE',
        async (c) =>
          first(await c.execute(`DELETE FROM ${FLOOR_TABLE} WHERE id = ? RETURNING *`, [id])),
        true,
      ),
    close: () => pool.end(),
  }
}
