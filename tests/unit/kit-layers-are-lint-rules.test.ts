import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

/**
 * The kit's layers are ESLint rules (eslint.config.mjs, run by `npm test` over the whole tree).
 * Here each rule is shown to fire: a module that breaks it, linted as if it lived in the kit, gets
 * exactly that rule's error, and the same module in an allowed place gets none.
 */

const root = join(__dirname, '../..')
const kit = join(root, 'lib/observability')
// The probes exist only as text: the cycle rule, which reads modules from disk, is checked on
// files of its own below.
const eslint = new ESLint({ cwd: root, overrideConfig: { rules: { 'import/no-cycle': 'off' } } })

async function errorsOf(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(kit, path) })
  return result!.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`)
}

describe('the kit’s layers are enforced by lint rules', () => {
  it('a runtime folder importing another runtime’s module, even for a type, is an error', async () => {
    expect(await errorsOf('shared/probe.ts', "import type { Kit } from '../client/kit.js'\nexport type X = Kit\n")).toEqual([
      expect.stringMatching(/^import\/no-restricted-paths: .*shared\/ imports only shared\//),
    ])
    expect(await errorsOf('edge/probe.ts', "import type { TrackingOptions } from '../server/with-tracking.js'\nexport type X = TrackingOptions\n")).toEqual([
      expect.stringMatching(/^import\/no-restricted-paths: .*edge\/ imports only shared\//),
    ])
    expect(await errorsOf('client/probe.ts', "import { getRequestId } from '../server/request-id.js'\nexport const x = getRequestId\n")).toEqual([
      expect.stringMatching(/^import\/no-restricted-paths: .*client\/ imports only shared\//),
    ])
    expect(await errorsOf('server/probe.ts', "import { middleware } from '../edge/middleware.js'\nexport const x = middleware\n")).toEqual([
      expect.stringMatching(/^import\/no-restricted-paths: .*server\/ imports only shared\//),
    ])
    expect(await errorsOf('server/probe.ts', "import type { ObservabilityConfig } from '../shared/config.js'\nexport type X = ObservabilityConfig\n")).toEqual(
      [],
    )
  })

  it('shared/ loads nothing of Node, no SDK and no next/* at runtime; type imports are fine', async () => {
    expect(await errorsOf('shared/probe.ts', "import { readFileSync } from 'node:fs'\nexport const x = readFileSync\n")).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: 'node:fs'/),
    ])
    expect(await errorsOf('shared/probe.ts', "import { PostHog } from 'posthog-node'\nexport const x = PostHog\n")).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: 'posthog-node'/),
    ])
    expect(await errorsOf('shared/probe.ts', "import { NextResponse } from 'next/server'\nexport const x = NextResponse\n")).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: 'next\/server'/),
    ])
    expect(await errorsOf('shared/probe.ts', "import type { PostHog } from 'posthog-node'\nexport type X = PostHog\n")).toEqual([])
  })

  it('shared/sentry-dsn.ts may take only the DSN parser from @sentry/core', async () => {
    expect(
      await errorsOf(
        'shared/sentry-dsn.ts',
        "import { makeDsn, type DsnComponents } from '@sentry/core'\nexport const x = makeDsn\nexport type Y = DsnComponents\n",
      ),
    ).toEqual([])
    expect(await errorsOf('shared/sentry-dsn.ts', "import { captureException } from '@sentry/core'\nexport const x = captureException\n")).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*Only the DSN parser/),
    ])
  })

  it('edge/ loads no SDK up front and nothing of Node; an SDK loaded on first use is fine', async () => {
    expect(await errorsOf('edge/probe.ts', "import * as Sentry from '@sentry/nextjs'\nexport const x = Sentry\n")).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: '@sentry\/nextjs'/),
    ])
    expect(await errorsOf('edge/probe.ts', "import { AsyncLocalStorage } from 'node:async_hooks'\nexport const x = AsyncLocalStorage\n")).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: 'node:async_hooks'/),
    ])
    expect(await errorsOf('edge/probe.ts', "export const load = () => import('@sentry/nextjs')\n")).toEqual([])
  })

  it('an import cycle inside the kit is an error', async () => {
    // Two real files in a scratch copy of the project's lint set-up, so the tree itself is untouched.
    const dir = mkdtempSync(join(tmpdir(), 'kit-lint-'))
    try {
      copyFileSync(join(root, 'eslint.config.mjs'), join(dir, 'eslint.config.mjs'))
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
      mkdirSync(join(dir, 'lib/observability/shared'), { recursive: true })
      writeFileSync(join(dir, 'lib/observability/shared/a.ts'), "import { b } from './b.js'\nexport const a = (): unknown => b\n")
      writeFileSync(join(dir, 'lib/observability/shared/b.ts'), "import { a } from './a.js'\nexport const b = (): unknown => a\n")
      const [result] = await new ESLint({ cwd: dir }).lintFiles(['lib/observability/shared/a.ts'])
      expect(result!.messages.map((m) => `${m.ruleId}: ${m.message}`)).toEqual([expect.stringMatching(/^import\/no-cycle: Dependency cycle/)])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('server modules declare server-only', () => {
  // Not the ingestion decoders and the proxy's plain helpers: the tests' fake ingestion server runs
  // them in plain Node, where `server-only` throws (it allows only Next's server build).
  it('every other module under server/ imports server-only', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []))
    const missing = files(join(kit, 'server'))
      .filter((file) => !/\/ingest\/|\/proxy\//.test(file))
      .filter((file) => !/^import 'server-only'/m.test(readFileSync(file, 'utf8')))
      .map((file) => relative(kit, file))
    expect(missing).toEqual([])
  })
})
