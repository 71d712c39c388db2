import { isChronicleError, withAuditContext } from '@chronicle/core'
import { DATABASES, isAvailable } from '@chronicle/test-kit'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { type PrismaFixture, prismaFixture } from './prisma-setup.js'

for (const kind of DATABASES) {
  const available = await isAvailable(kind)
  describe.skipIf(!available)(`prisma:${kind}`, () => {
    let f: PrismaFixture | undefined
    afterEach(async () => {
      await f?.close()
      f = undefined
    })
    const start = async (
      ...args: Parameters<typeof prismaFixture> extends [unknown, ...infer R] ? R : never
    ) => {
      f = await prismaFixture(kind, ...args)
      return f
    }
    const entries = async () =>
      (await (f as PrismaFixture).audit.logs({ limit: 1000 })).items.slice().reverse()

    it('a nested create writes an entry per row, table and column names as the database has them, in one transaction', async () => {
      const { prisma } = await start()
      const author = await prisma.author.create({
        data: {
          email: 'a@x',
          fullName: 'Ada',
          posts: { create: [{ title: 'p1' }, { title: 'p2' }] },
        },
        include: { posts: true },
      })
      expect(author.posts).toHaveLength(2)
      const all = await entries()
      expect(all.map((e) => [e.action, e.tableName])).toEqual([
        ['INSERT', 'authors'],
        ['INSERT', 'posts'],
        ['INSERT', 'posts'],
      ])
      expect(new Set(all.map((e) => e.transactionId)).size).toBe(1)
      expect(all[0]?.newValues).toEqual({ id: author.id, email: '[REDACTED]', full_name: 'Ada' })
      expect(all[1]?.newValues).toMatchObject({ title: 'p1', author_id: author.id })
    })

    it('nested update, delete, connect and disconnect record the rows and foreign keys they change', async () => {
      const { prisma } = await start()
      const a = await prisma.author.create({
        data: { email: 'a@x', posts: { create: [{ title: 'p1' }, { title: 'p2' }] } },
        include: { posts: true },
      })
      const b = await prisma.author.create({ data: { email: 'b@x' } })
      const [p1, p2] = a.posts
      await prisma.author.update({
        where: { id: a.id },
        data: {
          fullName: 'Ada',
          posts: {
            update: { where: { id: p1?.id as number }, data: { title: 'p1!' } },
            disconnect: { id: p2?.id as number },
          },
        },
      })
      await prisma.author.update({
        where: { id: b.id },
        data: { posts: { connect: { id: p2?.id as number } } },
      })
      await prisma.author.update({ where: { id: a.id }, data: { posts: { deleteMany: {} } } })
      const changes = (await entries())
        .slice(4)
        .map((e) => [e.action, e.tableName, e.changedFields.sort()])
      expect(changes).toEqual([
        ['UPDATE', 'authors', ['full_name']],
        ['UPDATE', 'posts', ['title']],
        ['UPDATE', 'posts', ['author_id']],
        ['UPDATE', 'posts', ['author_id']],
        ['DELETE', 'posts', []],
      ])
    })

    it('a nested upsert and a nested delete through a relation record what each did', async () => {
      const { prisma } = await start()
      const a = await prisma.author.create({
        data: { email: 'a@x', posts: { create: [{ title: 'p1' }, { title: 'p2' }] } },
        include: { posts: true },
      })
      const [p1, p2] = a.posts
      await prisma.author.update({
        where: { id: a.id },
        data: {
          posts: {
            upsert: [
              {
                where: { id: p1?.id as number },
                update: { title: 'p1 again' },
                create: { title: 'never' },
              },
              { where: { id: 999_999 }, update: { title: 'never' }, create: { title: 'p3' } },
            ],
            delete: { id: p2?.id as number },
          },
        },
      })
      const changes = (await entries())
        .slice(3)
        .map((e) => [e.action, e.tableName, e.newValues?.title ?? e.oldValues?.title])
        .sort((x, y) => String(x).localeCompare(String(y)))
      expect(changes).toEqual([
        ['DELETE', 'posts', 'p2'],
        ['INSERT', 'posts', 'p3'],
        ['UPDATE', 'posts', 'p1 again'],
      ])
      expect((await prisma.post.findMany({ orderBy: { id: 'asc' } })).map((p) => p.title)).toEqual([
        'p1 again',
        'p3',
      ])
    })

    it('connectOrCreate and a nested upsert record INSERT or UPDATE by what happened', async () => {
      const { prisma } = await start()
      const a = await prisma.author.create({ data: { email: 'a@x' } })
      await prisma.post.create({
        data: {
          title: 't',
          author: { connectOrCreate: { where: { email: 'a@x' }, create: { email: 'a@x' } } },
        },
      })
      await prisma.post.create({
        data: {
          title: 'u',
          author: { connectOrCreate: { where: { email: 'n@x' }, create: { email: 'n@x' } } },
        },
      })
      await prisma.author.upsert({
        where: { email: 'a@x' },
        create: { email: 'a@x' },
        update: { fullName: 'Ada' },
      })
      await prisma.author.upsert({
        where: { email: 'z@x' },
        create: { email: 'z@x' },
        update: { fullName: 'Zed' },
      })
      const changes = (await entries()).slice(1).map((e) => [e.action, e.tableName])
      expect(changes).toEqual([
        ['INSERT', 'posts'],
        ['INSERT', 'authors'],
        ['INSERT', 'posts'],
        ['UPDATE', 'authors'],
        ['INSERT', 'authors'],
      ])
      expect((await entries())[4]?.entityId).toBe(String(a.id))
    })

    it('set, updateManyAndReturn and an implicit many-to-many table named with its key are captured', async () => {
      const { prisma } = await start({
        tables: { Author: {}, Post: {}, Tag: {}, _AuthorToTag: { primaryKey: ['A', 'B'] } },
      })
      const a = await prisma.author.create({
        data: { email: 'a@x', posts: { create: [{ title: 'p1' }, { title: 'p2' }] } },
        include: { posts: true },
      })
      const kept = a.posts[0]?.id as number
      await prisma.author.update({ where: { id: a.id }, data: { posts: { set: [{ id: kept }] } } })
      await prisma.author.update({
        where: { id: a.id },
        data: { tags: { create: [{ label: 't' }] } },
      })
      if (kind !== 'mariadb') {
        const returned = await prisma.post.updateManyAndReturn({
          where: { id: kept },
          data: { title: 'r' },
        })
        expect(returned.map((p) => p.title)).toEqual(['r'])
      }
      const changes = (await entries())
        .slice(3)
        .map((e) => [e.action, e.tableName, e.changedFields])
      expect(changes).toEqual([
        ['UPDATE', 'posts', ['author_id']],
        ['INSERT', 'tags', []],
        ['INSERT', '_AuthorToTag', []],
        ...(kind !== 'mariadb' ? [['UPDATE', 'posts', ['title']]] : []),
      ])
    })

    it('updateMany and deleteMany over 100 rows write 100 entries each, in a bounded number of statements', async () => {
      const { prisma, statements } = await start()
      await prisma.post.createMany({
        data: Array.from({ length: 100 }, (_, i) => ({ title: `p${i}` })),
      })
      statements.length = 0
      expect(
        (
          await prisma.post.updateMany({
            where: { title: { startsWith: 'p' } },
            data: { title: 'x' },
          })
        ).count,
      ).toBe(100)
      const updateStatements = statements.length
      expect((await prisma.post.deleteMany({})).count).toBe(100)
      const all = await entries()
      expect(all.filter((e) => e.action === 'INSERT')).toHaveLength(100)
      expect(all.filter((e) => e.action === 'UPDATE')).toHaveLength(100)
      expect(all.filter((e) => e.action === 'DELETE')).toHaveLength(100)
      expect(updateStatements).toBeLessThanOrEqual(6)
    })

    it('a $transaction batch commits with its entries under one id, and rolls back whole', async () => {
      const { prisma, db } = await start()
      await prisma.$transaction([
        prisma.author.create({ data: { email: 'a@x' } }),
        prisma.post.create({ data: { title: 't' } }),
      ])
      const batch = await entries()
      expect(new Set(batch.map((e) => e.transactionId)).size).toBe(1)
      await expect(
        prisma.$transaction([
          prisma.post.create({ data: { title: 'gone' } }),
          prisma.author.create({ data: { email: 'a@x' } }),
        ]),
      ).rejects.toThrow()
      expect(await entries()).toHaveLength(2)
      expect(await db.exec("SELECT * FROM posts WHERE title = 'gone'")).toEqual([])
    })

    it('an interactive transaction that throws leaves neither rows nor entries; one that commits keeps both', async () => {
      const { prisma, audit } = await start()
      await expect(
        prisma.$transaction(async (tx) => {
          await tx.author.create({ data: { email: 'a@x', posts: { create: { title: 't' } } } })
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      expect(await entries()).toEqual([])
      await prisma.$transaction(async (tx) => {
        const a = await tx.author.create({ data: { email: 'a@x' } })
        await audit.log(
          { action: 'author.signup.completed', targetType: 'author', targetId: a.id },
          { tx },
        )
      })
      const all = await entries()
      expect(all.map((e) => e.action)).toEqual(['INSERT', 'author.signup.completed'])
      expect(new Set(all.map((e) => e.transactionId)).size).toBe(1)
    })

    it('withAuditContext around a Prisma call (a lazy promise, started when awaited) carries its context', async () => {
      const { prisma } = await start()
      await withAuditContext({ actorId: 'alice' }, () =>
        prisma.author.create({ data: { email: 'a@x', posts: { create: { title: 't' } } } }),
      )
      expect((await entries()).map((e) => e.actorId)).toEqual(['alice', 'alice'])
    })

    it('model methods are typed with the model and speak in field names; $audit is the audit', async () => {
      const { prisma } = await start()
      const a = await prisma.author.create({ data: { email: 'a@x', fullName: 'Ada' } })
      await prisma.author.update({ where: { id: a.id }, data: { fullName: 'Ada L.' } })
      const history = await prisma.author.history(a.id)
      expectTypeOf(history[0]?.newValues).toEqualTypeOf<
        { id: number; email: string; fullName: string | null } | null | undefined
      >()
      expect(history.map((e) => e.action)).toEqual(['UPDATE', 'INSERT'])
      expect(history[0]?.changedFields).toEqual(['fullName'])
      expect(history[0]?.oldValues).toEqual({ fullName: 'Ada' })
      const then = await prisma.author.stateAt(a.id, { auditId: history[1]?.id as number })
      expect(then).toEqual({ id: a.id, email: '[REDACTED]', fullName: 'Ada' })
      const diff = await prisma.author.diff(a.id, { from: history[1]?.id as number })
      expect(diff.changedFields).toEqual(['fullName'])
      expect((await prisma.$audit.logs({ table: 'authors' })).items).toHaveLength(2)
    })

    it('raw writes through $executeRaw are captured; one Chronicle cannot read is refused before it runs', async () => {
      const { prisma, db } = await start()
      await prisma.author.create({ data: { email: 'a@x' } })
      await prisma.$executeRawUnsafe("UPDATE authors SET full_name = 'raw' WHERE email = 'a@x'")
      const [, update] = await entries()
      expect(update?.changedFields).toEqual(['full_name'])
      const error = await prisma
        .$executeRawUnsafe("UPDATE authors AS a SET full_name = 'alias' WHERE a.email = 'a@x'")
        .catch((e: unknown) => e)
      expect(isChronicleError(error, 'UNSUPPORTED')).toBe(true)
      expect((error as Error).message).toContain('UPDATE authors AS a')
      expect((await db.exec('SELECT full_name FROM authors'))[0]?.full_name).toBe('raw')
    })

    it.runIf(kind === 'mariadb')(
      'an emulated upsert (SELECT, then INSERT) raced by another insert fails as Prisma does, recording nothing',
      async () => {
        const { prisma, db } = await start()
        db.hooks.before(/^insert into `authors`/i, async () => {
          await db.exec("INSERT INTO authors (email, full_name) VALUES ('a@x', 'theirs')")
        })
        const error = await prisma.author
          .upsert({
            where: { email: 'a@x' },
            create: { email: 'a@x' },
            update: { fullName: 'ours' },
          })
          .catch((e: unknown) => e)
        expect((error as { code?: string }).code).toBe('P2002')
        expect(db.hooks.pending).toBe(0)
        expect((await db.exec('SELECT full_name FROM authors'))[0]?.full_name).toBe('theirs')
        expect(await entries()).toEqual([])
      },
    )

    it('a failed audit insert fails the Prisma call with the ChronicleError, and changes nothing', async () => {
      const { prisma, db } = await start({ auditTable: 'missing_audit' })
      const error = await prisma.author.create({ data: { email: 'a@x' } }).catch((e: unknown) => e)
      expect(isChronicleError(error, 'MISSING_AUDIT_TABLE')).toBe(true)
      expect(await db.exec('SELECT * FROM authors')).toEqual([])
    })
  })
}
