import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))

/**
 * Tests import the kit by its package name, as an app does, but from its sources: no build is
 * needed first, and a test of an internal module and the entry that uses it share one instance.
 * The demo app itself (integration and e2e tests) runs on the built package.
 */
const kitAlias = { find: /^nextjs-observability-kit\/(.*)$/, replacement: `${root}lib/observability/$1` }
const alias = [kitAlias, { find: /^@\//, replacement: root }, { find: /^server-only$/, replacement: `${root}tests/support/server-only-stub.ts` }]

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          globalSetup: ['tests/support/global-build.ts'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          globalSetup: ['tests/support/global-build.ts'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'adopt',
          include: ['tests/adopt/**/*.test.ts'],
          environment: 'node',
          // One generated app per file: create-next-app, npm install, init, a real build.
          testTimeout: 900_000,
          hookTimeout: 900_000,
          fileParallelism: false,
          globalSetup: ['tests/adopt/support/global-setup.ts'],
        },
      },
    ],
  },
})
