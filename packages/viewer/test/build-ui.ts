import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * Vitest global setup: the viewer serves its pages from the built dist/ui, so build the
 * package first. Turbo's cache makes this a no-op when nothing changed.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../../..', import.meta.url))
  execFileSync(
    fileURLToPath(new URL('node_modules/.bin/turbo', `file://${root}/`)),
    ['run', 'build', '--filter=@chronicle/viewer', '--output-logs=errors-only'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    },
  )
}
