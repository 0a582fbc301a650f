import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { copyFixture, FIXTURES, init, readTree, syntaxErrors, WIRED_CASES } from './init-fixture-tree'

const CODE = /\.(?:[cm]?[jt]sx?)$/

describe('init --yes turns each fixture app into its expected tree', () => {
  it.each(WIRED_CASES)('%s', async (name) => {
    const app = copyFixture(name)
    const before = readTree(app)
    const { code, output } = await init(app, { yes: true })
    expect(code, output).toBe(0)

    const after = readTree(app)
    expect(after).toEqual(readTree(join(FIXTURES, name, 'expected')))

    // Every file it created or edited is named in the report, with the right verb.
    for (const [path, content] of Object.entries(after)) {
      if (before[path] === content) continue
      expect(output).toMatch(new RegExp(`${before[path] === undefined ? 'created' : 'edited'} +${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`))
    }
    // And every file it wrote parses (TypeScript's parser: no syntax error in TS, TSX, JS or JSX).
    const written = Object.entries(after).filter(([path, content]) => CODE.test(path) && before[path] !== content)
    expect(written.length).toBeGreaterThan(5)
    expect(written.flatMap(([path, content]) => syntaxErrors(path, content))).toEqual([])
  })

  it('reports what it detected, and the one install command the app still needs', async () => {
    const next16 = await init(copyFixture('next16-src-typescript'), { yes: true })
    expect(next16.output).toContain(
      'Detected: Next 16.4.3 (package.json), App Router in src/app/, TypeScript, alias @/*, next.config.ts, proxy.ts convention, Cache Components on, npm',
    )
    expect(next16.output).toMatch(/Next: npm install nextjs-observability-kit$/)

    const commonJs = await init(copyFixture('commonjs-next-config'), { yes: true })
    expect(commonJs.output).toContain('Next 15.5.0 (package.json), App Router in app/, JavaScript')
    expect(commonJs.output).toContain('middleware.js convention')
    expect(commonJs.output).toMatch(/Next: pnpm add nextjs-observability-kit$/)

    const sentry = await init(copyFixture('sentry-wrapped-config'), { yes: true })
    expect(sentry.output).toContain('withObservabilityConfig went inside withSentryConfig')
    expect(sentry.output).toMatch(/unchanged +app\/global-error\.tsx\n.*add `useCaptureBoundaryError\(error\)`/)
  })
})
