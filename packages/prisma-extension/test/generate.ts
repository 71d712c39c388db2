/**
 * Runs `prisma generate` for each provider's test schema, offline: the schema engine is
 * stubbed (generation never needs it) and nothing is downloaded. Skips a schema whose
 * generated client is up to date. Run by vitest's global setup and by `pnpm typecheck`.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PROVIDERS, prismaSchema } from './schema.ts'

const root = dirname(fileURLToPath(import.meta.url))
const cli = join(root, '..', 'node_modules', 'prisma', 'build', 'index.js')

export function generate(): void {
  for (const provider of PROVIDERS) {
    const folder = join(root, '.generated', provider)
    const schema = join(folder, 'schema.prisma')
    const text = prismaSchema(provider)
    if (
      existsSync(join(folder, 'client', 'client.ts')) &&
      existsSync(schema) &&
      readFileSync(schema, 'utf8') === text
    )
      continue
    mkdirSync(folder, { recursive: true })
    writeFileSync(schema, text)
    execFileSync(process.execPath, [cli, 'generate', '--schema', schema], {
      stdio: 'pipe',
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: '/usr/bin/true',
        CHECKPOINT_DISABLE: '1',
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
      },
    })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) generate()
