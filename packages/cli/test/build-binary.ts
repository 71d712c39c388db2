import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * Vitest global setup: the CLI tests spawn the built binary, so build it (and core) first.
 * Turbo's cache makes this a no-op when nothing changed, as after CI's bootstrap build.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../../..', import.meta.url))
  execFileSync(
    fileURLToPath(new URL('node_modules/.bin/turbo', `file://${root}/`)),
    ['run', 'build', '--filter=@chronicle/cli', '--output-logs=errors-only'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    },
  )
}
