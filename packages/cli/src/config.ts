import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ChronicleOptions } from '@chronicle/core'
import { CliError, usageError } from './errors.js'

/**
 * `chronicle.config.{ts,js,mjs,json}`: where the database is, and the same options the app
 * passes to `auditPlugin()`, so primary keys and redaction match the app's.
 *
 * ### Examples
 * ```ts
 * // chronicle.config.ts
 * import { defineConfig } from '@chronicle/cli'
 * import { auditOptions } from './src/audit.js'   // what the app passes to auditPlugin()
 * export default defineConfig({ db: process.env.DATABASE_URL, ...auditOptions })
 * ```
 */
export interface CliConfig extends Partial<Pick<ChronicleOptions, 'tables' | 'auditTable'>> {
  /** `./app.db`, `sqlite:…`, `postgres://…`, `mysql://…` or `mariadb://…`. */
  readonly db?: string
}

/** Types a config file's default export. */
export function defineConfig(config: CliConfig): CliConfig {
  return config
}

const DEFAULT_NAMES = [
  'chronicle.config.ts',
  'chronicle.config.js',
  'chronicle.config.mjs',
  'chronicle.config.json',
]

/** Loads `path`, or the first `chronicle.config.*` in the working directory, or nothing. */
export async function loadConfig(path: string | undefined): Promise<CliConfig> {
  const file = path
    ? resolve(path)
    : DEFAULT_NAMES.map((name) => resolve(name)).find((candidate) => existsSync(candidate))
  if (file === undefined) return {}
  if (!existsSync(file)) throw usageError(`config file ${path} does not exist`)
  let loaded: unknown
  try {
    if (file.endsWith('.json')) {
      loaded = JSON.parse(readFileSync(file, 'utf8'))
    } else {
      const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>
      loaded = module.default ?? module.config
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new CliError(`cannot load config file ${file}: ${reason}`, 1, { cause: error })
  }
  if (loaded === null || typeof loaded !== 'object' || Array.isArray(loaded)) {
    throw usageError(`config file ${file} must export an object (export default { db, tables })`)
  }
  return loaded as CliConfig
}
