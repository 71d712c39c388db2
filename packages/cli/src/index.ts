// The CLI's importable surface: config typing, and the runner for embedding or tests.
export { type CliConfig, defineConfig } from './config.js'
export { run } from './program.js'
