import { getDialect } from '@chronicle/core/adapter'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory } from '../adapter.js'
import type { DatabaseKind } from '../databases.js'
import { userRow } from '../schema.js'
import { useFixture } from '../setup.js'

/** A migration that runs while the application does: no restart between the two. */
export function schemaChangesSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('schema changes at runtime', () => {
    const start = useFixture(factory, kind)

    it('[3] a column added while the app runs is captured without a restart', async () => {
      const f = await start()
      const q = getDialect(f.db.dialect).quote
      await f.client.insert('users', [{ id: 1, ...userRow(f.db.dialect, 1) }])
      await f.db.exec(
        `ALTER TABLE ${q('users')} ADD COLUMN ${q('nickname')} VARCHAR(50) DEFAULT 'nick'`,
      )
      await f.client.insert('users', [{ id: 2, ...userRow(f.db.dialect, 2) }])
      await f.client.update('users', { id: 1 }, { name: 'renamed' })
      await f.client.update('users', { id: 2 }, { nickname: 'second' })
      const [nickname, rename, insert] = (await f.client.audit.logs({ table: 'users' })).items
      expect(insert?.newValues).toMatchObject({ id: 2, nickname: 'nick' })
      expect(nickname?.oldValues).toEqual({ nickname: 'nick' })
      expect(nickname?.newValues).toMatchObject({ nickname: 'second' })
      expect(rename?.newValues).toMatchObject({ name: 'renamed', nickname: 'nick' })
      expect(await f.client.audit.table('users').stateAt(2, new Date())).toMatchObject({
        nickname: 'second',
      })
    })

    it('[3] a dropped column does not break writes, and leaves later snapshots', async () => {
      const f = await start()
      const q = getDialect(f.db.dialect).quote
      await f.client.insert('users', [{ id: 1, ...userRow(f.db.dialect, 1) }])
      await f.client.update('users', { id: 1 }, { name: 'before drop' })
      await f.db.exec(`ALTER TABLE ${q('users')} DROP COLUMN ${q('updated_at')}`)
      await f.client.update('users', { id: 1 }, { name: 'after drop' })
      await f.client.insert(
        'users',
        [{ id: 2, ...userRow(f.db.dialect, 2, {}) }].map(({ updated_at: _, ...row }) => row),
      )
      await f.client.delete('users', { id: 1 })
      const [deleted, inserted, updated] = (await f.client.audit.logs({ table: 'users' })).items
      expect(updated?.newValues).toMatchObject({ name: 'after drop' })
      expect(updated?.newValues).not.toHaveProperty('updated_at')
      expect(inserted?.newValues).not.toHaveProperty('updated_at')
      expect(deleted?.oldValues).toMatchObject({ name: 'after drop' })
    })
  })
}
