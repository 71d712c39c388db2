import { ChronicleError } from '../errors/chronicle-error.js'

/**
 * The oldest Node.js Chronicle supports. On older ones better-sqlite3 13 (a peer the adapters
 * and the CLI load) dies with a segmentation fault and no message, so core says it first.
 */
export const MIN_NODE_MAJOR = 22

/**
 * Throws UNSUPPORTED, naming the running version, when it is older than Node 22. Bun and Deno
 * report the Node.js version they implement; without `process` there is nothing to check.
 */
export function assertSupportedNode(version = globalThis.process?.versions?.node): void {
  if (version === undefined) return
  const major = Number.parseInt(version, 10)
  if (major < MIN_NODE_MAJOR) {
    throw new ChronicleError(
      'UNSUPPORTED',
      `Chronicle needs Node.js ${MIN_NODE_MAJOR} or newer (this is v${version}); better-sqlite3 13 crashes on older Node. Install Node.js 22 or 24 and run again.`,
    )
  }
}
