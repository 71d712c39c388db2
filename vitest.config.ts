import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const r = (p: string) => fileURLToPath(new URL(p, import.meta.url))

export default defineConfig({
  resolve: {
    // Run tests against package sources, no build needed.
    alias: [
      { find: /^@chronicle\/core\/adapter$/, replacement: r('./packages/core/src/adapter.ts') },
      { find: /^@chronicle\/core$/, replacement: r('./packages/core/src/index.ts') },
      { find: /^@chronicle\/drizzle$/, replacement: r('./packages/drizzle-adapter/src/index.ts') },
      { find: /^@chronicle\/kysely$/, replacement: r('./packages/kysely-plugin/src/index.ts') },
      { find: /^@chronicle\/prisma$/, replacement: r('./packages/prisma-extension/src/index.ts') },
      { find: /^@chronicle\/test-kit$/, replacement: r('./packages/test-kit/src/index.ts') },
      { find: /^@chronicle\/cli$/, replacement: r('./packages/cli/src/index.ts') },
      { find: /^@chronicle\/viewer$/, replacement: r('./packages/viewer/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '.tools/**'],
    // The CLI tests run the built `chronicle` binary and the viewer's serve its built UI;
    // Prisma clients for the tests are generated, offline, before any test file loads.
    globalSetup: [
      './packages/cli/test/build-binary.ts',
      './packages/viewer/test/build-ui.ts',
      'packages/prisma-extension/test/global-setup.ts',
      'examples/prisma-quickstart/test/global-setup.ts',
    ],
    pool: 'forks',
    // Most test time waits on PostgreSQL and MariaDB, not the CPU: on a 2-core machine the
    // default (one worker per spare core) left the suite running one file at a time. Every
    // file has databases of its own, so files may overlap.
    maxWorkers: 4,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
