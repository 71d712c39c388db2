import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { describe, expect, it } from 'vitest'
import { runtimeDataModel } from '../src/prisma-internals.js'
import { PrismaClient } from './.generated/sqlite/client/client.ts'

describe('prisma internals', () => {
  it('the client still exposes its runtime data model: models, @@map and @map', async () => {
    const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: ':memory:' }) })
    const model = runtimeDataModel(prisma)?.models.Author
    expect(model?.dbName).toBe('authors')
    expect(model?.fields.find((f) => f.name === 'fullName')).toMatchObject({
      kind: 'scalar',
      type: 'String',
      dbName: 'full_name',
    })
    await prisma.$disconnect()
  })
})
