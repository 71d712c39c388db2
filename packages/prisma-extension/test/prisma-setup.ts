import type { DialectName } from '@chronicle/core'
import { createAuditTable, getDialect } from '@chronicle/core/adapter'
import {
  createTestDatabase,
  type DatabaseKind,
  rawConnection,
  type TestDatabase,
} from '@chronicle/test-kit'
import {
  type AuditedPrismaClient,
  auditPlugin,
  type PrismaAudit,
  type PrismaAuditOptions,
} from '../src/index.js'
import type { PrismaClient as SqliteClient } from './.generated/sqlite/client/client.ts'
import { driverAdapter, hooked } from './driver-adapters.js'

/** The tables of the Prisma-only models (`@@map`, `@map`, an implicit many-to-many). */
const DDL: Record<DialectName, string[]> = {
  sqlite: [
    'CREATE TABLE authors (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, full_name TEXT)',
    'CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, author_id INTEGER REFERENCES authors(id))',
    'CREATE TABLE tags (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL UNIQUE)',
    'CREATE TABLE "_AuthorToTag" ("A" INTEGER NOT NULL, "B" INTEGER NOT NULL, PRIMARY KEY ("A", "B"))',
  ],
  postgres: [
    'CREATE TABLE authors (id SERIAL PRIMARY KEY, email TEXT NOT NULL UNIQUE, full_name TEXT)',
    'CREATE TABLE posts (id SERIAL PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER REFERENCES authors(id))',
    'CREATE TABLE tags (id SERIAL PRIMARY KEY, label TEXT NOT NULL UNIQUE)',
    'CREATE TABLE "_AuthorToTag" ("A" INTEGER NOT NULL, "B" INTEGER NOT NULL, PRIMARY KEY ("A", "B"))',
  ],
  mysql: [
    'CREATE TABLE authors (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(191) NOT NULL UNIQUE, full_name VARCHAR(255))',
    'CREATE TABLE posts (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(255) NOT NULL, author_id INT, FOREIGN KEY (author_id) REFERENCES authors(id))',
    'CREATE TABLE tags (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(191) NOT NULL UNIQUE)',
    'CREATE TABLE `_AuthorToTag` (`A` INT NOT NULL, `B` INT NOT NULL, PRIMARY KEY (`A`, `B`))',
  ],
}

const PROVIDER = { sqlite: 'sqlite', postgres: 'postgresql', mariadb: 'mysql' } as const

/** The clients share one API; the SQLite one's types stand for all three. */
export type Client = AuditedPrismaClient<InstanceType<typeof SqliteClient>, PrismaAudit>

export interface PrismaFixture {
  readonly db: TestDatabase
  readonly audit: PrismaAudit
  readonly prisma: Client
  /** Statements the client sent its driver, in order. */
  readonly statements: string[]
  auditRows(): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

/** A fresh database with the Prisma-only tables, the audit table and an audited client. */
export async function prismaFixture(
  kind: DatabaseKind,
  options: Partial<PrismaAuditOptions> = {},
): Promise<PrismaFixture> {
  const db = await createTestDatabase(kind)
  for (const statement of DDL[db.dialect]) await db.exec(statement)
  await createAuditTable(rawConnection(db), getDialect(db.dialect))
  const audit = auditPlugin({
    tables: { Author: { redact: ['email'] }, Post: {}, Tag: {} },
    ...options,
  })
  const statements: string[] = []
  const settings = {
    beforeQuery: (sql: string) => {
      statements.push(sql)
      return db.hooks.fire(sql)
    },
  }
  const adapter = audit.adapter(hooked(await driverAdapter(db, settings), settings.beforeQuery))
  const { PrismaClient } = await import(`./.generated/${PROVIDER[kind]}/client/client.ts`)
  const prisma = audit.extend(new PrismaClient({ adapter })) as Client
  const q = getDialect(db.dialect).quote
  return {
    db,
    audit,
    prisma,
    statements,
    auditRows: () => db.exec(`SELECT * FROM ${q('audit_logs')} ORDER BY ${q('id')}`),
    async close() {
      await prisma.$disconnect()
      await audit.destroy()
      await db.drop()
    },
  }
}
