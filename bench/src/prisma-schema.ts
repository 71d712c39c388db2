/**
 * The Prisma clients the benchmark uses, over the same item tables Kysely created, generated
 * offline (the schema engine is stubbed: generation never needs it).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DatabaseKind } from './targets.ts'

const PROVIDER = { sqlite: 'sqlite', postgres: 'postgresql', mariadb: 'mysql' } as const
const root = fileURLToPath(new URL('..', import.meta.url))

function schema(kind: DatabaseKind): string {
  const model = (name: string) => `model ${name} {
  id    Int     @id @default(autoincrement())
  name  String
  score Int
  note  String?
}
`
  return `generator client {
  provider     = "prisma-client"
  output       = "./client"
  moduleFormat = "esm"
}

datasource db {
  provider = "${PROVIDER[kind]}"
}

${model('items_plain')}
${model('items_audited')}
${model('items_trigger')}
${model('items_floor')}`
}

/** The generated client's folder for `kind`, generated when missing or out of date. */
export function generatedClient(kind: DatabaseKind): string {
  const folder = join(root, '.generated', PROVIDER[kind])
  const file = join(folder, 'schema.prisma')
  const text = schema(kind)
  if (!existsSync(join(folder, 'client', 'client.ts')) || readFileSync(file, 'utf8') !== text) {
    mkdirSync(folder, { recursive: true })
    writeFileSync(file, text)
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'generate', '--schema', file],
      {
        stdio: 'pipe',
        env: {
          ...process.env,
          PRISMA_SCHEMA_ENGINE_BINARY: '/usr/bin/true',
          CHECKPOINT_DISABLE: '1',
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
        },
      },
    )
  }
  return join(folder, 'client', 'client.ts')
}
