// Builds the viewer's pages into dist/ui: index.html, assets/app.js, assets/app.css.
// The host app serves these prebuilt files; it never runs a build step of its own.
import { copyFile, mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const out = here('../dist/ui/')

await mkdir(`${out}assets`, { recursive: true })
await build({
  entryPoints: { app: here('src/main.ts') },
  outdir: `${out}assets`,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
})
await copyFile(here('app.css'), `${out}assets/app.css`)
await copyFile(here('index.html'), `${out}index.html`)
