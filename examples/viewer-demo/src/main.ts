import { rmSync } from 'node:fs'
import { startViewerDemo } from './app.ts'

// The quickstart's SQLite file, created afresh on every run: no server needed.
const file = 'chronicle-viewer-demo.db'
rmSync(file, { force: true })
const demo = await startViewerDemo({ file, port: Number(process.env.PORT ?? 3000) })
console.log(`Chronicle viewer demo: ${demo.url}/  (the viewer: ${demo.url}/admin/audit/)`)
console.log('Press Ctrl-C to stop.')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void demo.close())
}
