import { defineConfig, type Options } from 'tsup'

/** How every publishable package is built: ESM for Node 22+, with declarations and source maps. */
export function packageBuild(options: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
    tsconfig: 'tsconfig.build.json',
    ...options,
  })
}
