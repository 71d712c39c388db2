import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ViewerHttpError, withSecurityHeaders } from './responses.js'

/**
 * The prebuilt UI: `dist/ui` beside the built `dist/index.js`; run from sources (tests),
 * the package's `dist/ui` one level up.
 */
function uiDirectory(): string {
  const built = fileURLToPath(new URL('./ui/', import.meta.url))
  return existsSync(`${built}index.html`)
    ? built
    : fileURLToPath(new URL('../dist/ui/', import.meta.url))
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
}

/** Asset names the UI build writes: plain segments, never `..`. */
const ASSET_PATH = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/

const escapeAttribute = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Serves the UI's files; each is read once, they never change while the process runs. */
export class UiAssets {
  readonly #directory = uiDirectory()
  readonly #cache = new Map<string, Promise<Buffer>>()

  #read(name: string): Promise<Buffer> {
    let file = this.#cache.get(name)
    if (!file) {
      file = readFile(`${this.#directory}${name}`)
      file.catch(() => this.#cache.delete(name))
      this.#cache.set(name, file)
    }
    return file
  }

  /**
   * index.html with the mount path given to the UI: a `<meta name="chronicle-base">` for
   * its script, and `%CHRONICLE_BASE%` replaced in its asset URLs (the CSP's `base-uri
   * 'none'` rules out a `<base>` element).
   */
  async page(basePath: string): Promise<Response> {
    const html = (await this.#read('index.html').catch(notBuilt)).toString('utf8')
    const base = escapeAttribute(basePath)
    const meta = `<meta name="chronicle-base" content="${base}">`
    const withBase = html.replaceAll('%CHRONICLE_BASE%', base)
    const body = /<head[^>]*>/i.test(withBase)
      ? withBase.replace(/<head[^>]*>/i, (head) => `${head}${meta}`)
      : meta + withBase
    return new Response(body, {
      headers: withSecurityHeaders({
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
      }),
    })
  }

  /** `assets/<name>`, or 404. */
  async asset(name: string): Promise<Response> {
    const type = TYPES[extname(name)]
    if (!ASSET_PATH.test(name) || type === undefined) throw notFound()
    const file = await this.#read(`assets/${name}`).catch(() => {
      throw notFound()
    })
    return new Response(new Uint8Array(file), {
      headers: withSecurityHeaders({ 'Content-Type': type, 'Cache-Control': 'no-cache' }),
    })
  }
}

const notFound = () => new ViewerHttpError(404, 'NOT_FOUND', 'no such asset')

function notBuilt(cause: unknown): never {
  throw new Error('the viewer UI is not built: run the package build (dist/ui/index.html)', {
    cause,
  })
}
