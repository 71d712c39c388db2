// Placeholder build until the UI lands: copies ui/static/* to dist/ui/.
import { cpSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const from = fileURLToPath(new URL('./static/', import.meta.url))
const to = fileURLToPath(new URL('../dist/ui/', import.meta.url))
mkdirSync(to, { recursive: true })
cpSync(from, to, { recursive: true })
