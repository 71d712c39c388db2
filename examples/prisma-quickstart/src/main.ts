import { rmSync } from 'node:fs'
import { runDemo } from './demo.ts'

// A file database the demo creates from scratch on every run: no server needed.
const file = 'chronicle-prisma-demo.db'
rmSync(file, { force: true })
await runDemo(file)
console.log(`\nThe audit table is in ${file}: try \`sqlite3 ${file} 'select * from audit_logs'\`.`)
