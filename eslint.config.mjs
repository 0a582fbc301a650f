import { defineConfig, globalIgnores } from 'eslint/config'
import nextVitals from 'eslint-config-next/core-web-vitals'
import nextTypescript from 'eslint-config-next/typescript'
import prettier from 'eslint-config-prettier/flat'

/**
 * Next.js's own rules (what `create-next-app` sets up) for the demo, the kit, the tests and the
 * bench, plus the kit's layering as lint rules (`npm run lint`, run by `npm test`):
 *
 * - `edge/`, `server/` and `client/` import only `shared/` and themselves, type imports included:
 *   a type import across runtimes is a runtime dependency waiting to happen.
 * - `shared/` is pure and runs everywhere: no Node built-ins, no SDK, no `next/*`, except type imports.
 * - `edge/` loads no SDK up front (the Edge runtime starts Sentry and posthog-node on the first
 *   error, through `import()`, which these rules allow) and nothing of Node.
 * - No import cycles inside the kit.
 */
const KIT = 'lib/observability'
const NODE_BUILTINS = {
  group: ['node:*', 'fs', 'path', 'crypto', 'async_hooks', 'worker_threads'],
  message: 'Node built-ins are not available on every runtime.',
}
const SDKS = {
  group: ['posthog-node', 'posthog-node/*', 'posthog-js', 'posthog-js/*', '@sentry/*', 'server-only'],
  message: 'An SDK here would load on every runtime; load it from server/, client/ or lazily.',
}
const NEXT = { group: ['next', 'next/*'], message: 'shared/ is plain TypeScript: no Next.js APIs.' }

export default defineConfig([
  // What git ignores (builds, installs, test and bench output), and the init command's input
  // fixtures: apps as their owners wrote them.
  globalIgnores([
    '.next/**',
    '.next-*/**',
    '.test-builds/**',
    '.bench/**',
    'out/**',
    'build/**',
    'coverage/**',
    'next-env.d.ts',
    '**/dist/**',
    '.packs/**',
    '.test-results/**',
    '.observability/**',
    'tests/fixtures/**',
  ]),
  ...nextVitals,
  ...nextTypescript,
  {
    rules: {
      // `_`-prefixed names are deliberately unused (a signature that must keep its position).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // Preloads handed to `node --require` are CommonJS by necessity.
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read decoded wire payloads field by field; restating each SDK's wire format as types
    // there would only repeat what the assertions already say.
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: [`${KIT}/**/*.{ts,tsx,mjs}`],
    rules: {
      'import/no-cycle': ['error', { ignoreExternal: true }],
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: `${KIT}/shared`, from: [`${KIT}/edge`, `${KIT}/server`, `${KIT}/client`, `${KIT}/cli`], message: 'shared/ imports only shared/.' },
            { target: `${KIT}/edge`, from: [`${KIT}/server`, `${KIT}/client`, `${KIT}/cli`], message: 'edge/ imports only shared/ and itself.' },
            { target: `${KIT}/server`, from: [`${KIT}/edge`, `${KIT}/client`, `${KIT}/cli`], message: 'server/ imports only shared/ and itself.' },
            { target: `${KIT}/client`, from: [`${KIT}/edge`, `${KIT}/server`, `${KIT}/cli`], message: 'client/ imports only shared/ and itself.' },
          ],
        },
      ],
    },
  },
  {
    files: [`${KIT}/shared/**/*.ts`],
    ignores: [`${KIT}/shared/sentry-dsn.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { ...NODE_BUILTINS, allowTypeImports: true },
            { ...SDKS, allowTypeImports: true },
            { ...NEXT, allowTypeImports: true },
          ],
        },
      ],
    },
  },
  {
    // The one SDK import shared/ makes at runtime: Sentry's DSN parser, so the config accepts
    // exactly the DSNs the SDK sends with (side-effect-free ESM: bundles keep only the parser).
    files: [`${KIT}/shared/sentry-dsn.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { ...NODE_BUILTINS, allowTypeImports: true },
            { ...NEXT, allowTypeImports: true },
          ],
          paths: [{ name: '@sentry/core', allowImportNames: ['makeDsn', 'DsnComponents'], message: 'Only the DSN parser.' }],
        },
      ],
    },
  },
  {
    files: [`${KIT}/edge/**/*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [NODE_BUILTINS, { ...SDKS, allowTypeImports: true }] }] },
  },
  prettier,
])
