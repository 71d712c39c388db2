/**
 * `prisma generate`, offline: generation never needs Prisma's schema engine, so a stub
 * stands in for it and nothing is downloaded. Skipped when the client is up to date.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

export function generate(): void {
  const schema = join(root, 'prisma', 'schema.prisma')
  const stamp = join(root, 'src', 'generated', '.schema')
  const text = readFileSync(schema, 'utf8')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === text) return
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'generate', '--schema', schema],
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
  writeFileSync(stamp, text)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) generate()
