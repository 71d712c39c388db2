import { spawn } from 'node:child_process'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createViewer, type ViewerPrincipal } from '@chronicle/viewer'
import { CliError, EXIT } from '../errors.js'
import type { Output } from '../output/terminal.js'
import type { Session } from '../session.js'

export interface StudioFlags {
  readonly port: number
  readonly host: string
  readonly allowRestore?: boolean
  readonly open?: boolean
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

/** `::1` → `[::1]`, as a URL and a Host header write it. */
const urlHost = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host)

/**
 * On a loopback address, only requests naming it: a web page whose domain an attacker
 * re-points at 127.0.0.1 (DNS rebinding) sends its own Host, and is refused.
 */
function hostGuard(host: string, port: number): (req: IncomingMessage) => boolean {
  if (!LOOPBACK.has(host)) return () => true
  const allowed = new Set(['127.0.0.1', 'localhost', '[::1]'].map((name) => `${name}:${port}`))
  return (req) => allowed.has(req.headers.host ?? '')
}

/** Opens `url` in the desktop's browser; a failure is only a note, the URL is printed anyway. */
function openBrowser(url: string, out: Output): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]]
  const child = spawn(command, args, { stdio: 'ignore', detached: true })
  child.on('error', () => out.note(`could not open a browser (${command}): open ${url} yourself`))
  child.unref()
}

/**
 * `chronicle studio`: the viewer of @chronicle/viewer on a local port, for one database,
 * until Ctrl-C or SIGTERM. One principal, the person at the terminal: every entry, and
 * restore only with `--allow-restore`.
 */
export async function studioCommand(
  session: Session,
  flags: StudioFlags,
  out: Output,
): Promise<number> {
  // Read once: the viewer holds one audit instance, and a DISTINCT over the trail on every
  // request would scan a large audit table again and again for tables that change with
  // deploys, not between clicks. A table first audited later appears after a restart.
  const tables = await session.trailTables()
  const principal: ViewerPrincipal = {
    actorId: null,
    scope: 'all',
    canRestore: flags.allowRestore === true,
    name: 'chronicle studio',
  }
  const viewer = createViewer({
    audit: session.audit(...tables),
    authorize: () => principal,
    title: 'Chronicle Studio',
  })
  let allowedHost: (req: IncomingMessage) => boolean = () => false
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!allowedHost(req)) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('chronicle studio answers only requests to its own address\n')
      return
    }
    viewer.node(req, res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new CliError(
          error.code === 'EADDRINUSE'
            ? `port ${flags.port} on ${flags.host} is in use: pick another with --port (0 takes a free one)`
            : `cannot listen on ${flags.host}:${flags.port}: ${error.message}`,
          EXIT.error,
          { cause: error },
        ),
      ),
    )
    server.listen(flags.port, flags.host, resolve)
  })
  const { port } = server.address() as AddressInfo
  allowedHost = hostGuard(flags.host, port)
  const url = `http://${urlHost(flags.host)}:${port}/`

  out.line(`Chronicle Studio: ${out.colors.bold(url)}`)
  out.line(
    `${session.open.dialect}, ${tables.length} audited table${tables.length === 1 ? '' : 's'}; ${
      principal.canRestore
        ? out.colors.yellow('restore and revert allowed')
        : 'read-only (--allow-restore allows restore and revert)'
    }`,
  )
  if (!LOOPBACK.has(flags.host)) {
    out.note(
      out.colors.yellow(
        `listening on ${flags.host}: anyone who can reach this address reads the audit trail`,
      ),
    )
  }
  out.line('Press Ctrl-C to stop.')
  if (flags.open) openBrowser(url, out)

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      server.close(() => resolve())
      // Keep-alive sockets of an open browser tab would hold close() forever.
      server.closeAllConnections()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  out.line('Chronicle Studio stopped.')
  return EXIT.ok
}
