#!/usr/bin/env node
// Loaded dynamically so that a failure to load (core refuses a Node.js older than 22, where
// better-sqlite3 would segfault) is one line saying what to do, not a stack trace.
const { run } = await import('./program.js').catch((error: unknown) => {
  const message = error instanceof Error ? error.message.replace(/^\[chronicle\] /, '') : error
  process.stderr.write(`error: ${message}\n`)
  return process.exit(1)
})

// exitCode, not exit(): stdout is flushed before the process ends, even when piped.
process.exitCode = await run(process.argv)
