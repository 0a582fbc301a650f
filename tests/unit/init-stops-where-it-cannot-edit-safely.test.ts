import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_STYLE } from '@/lib/observability/cli/code-style'
import { editInstrumentation } from '@/lib/observability/cli/edit-instrumentation'
import { editNextConfig } from '@/lib/observability/cli/edit-next-config'
import { copyFixture, init, readTree } from './init-fixture-tree'

/** Runs init on a copy and checks it stopped (exit 1) without touching a single file. */
async function expectStop(app: string): Promise<string> {
  const before = readTree(app)
  const { code, output } = await init(app, { yes: true })
  expect(code, output).toBe(1)
  expect(readTree(app)).toEqual(before)
  expect(output.toLowerCase()).toContain('nothing was written')
  return output
}

describe('init stops, names the file and prints the lines to add, and writes nothing', () => {
  it('a root layout whose <body> is rendered by another component', async () => {
    const output = await expectStop(copyFixture('stop-layout-without-body'))
    expect(output).toContain('app/layout.tsx: no <body> element is rendered in it.')
    expect(output).toContain('      import { ObservabilityProvider } from "nextjs-observability-kit/client";')
    expect(output).toContain('      <ObservabilityProvider user={null} />')
  })

  it('a middleware matcher it cannot read (a variable)', async () => {
    const output = await expectStop(copyFixture('stop-unusual-matcher'))
    expect(output).toContain('middleware.ts: its config.matcher is not a string or an array of strings')
    expect(output).toContain('      export const middleware = withObservability(yourFunction);')
    expect(output).toContain('_next/image|_ox/|')
  })

  it('an app that already serves /observability (here from a route group)', async () => {
    const output = await expectStop(copyFixture('stop-observability-page-exists'))
    expect(output).toContain('app/(admin)/observability/page.tsx: the app already has an /observability route or page')
  })

  it('a route file of the kit that exists with other content, and every other stop at once', async () => {
    const app = copyFixture('next15-typescript')
    mkdirSync(join(app, 'app/%5Fox/s'), { recursive: true })
    writeFileSync(join(app, 'app/%5Fox/s/route.ts'), 'export async function POST() {\n  return new Response(null)\n}\n')
    writeFileSync(join(app, 'middleware.ts'), "export function middleware() {}\nexport const config = { matcher: ['/:path*'] }\n")
    const output = await expectStop(app)
    expect(output).toContain('init stopped: 2 files cannot be edited safely')
    expect(output).toContain(
      'app/%5Fox/s/route.ts: it exists with content of its own, and init never overwrites a file.\n    Move it, or make it the kit\'s one line: export { POST } from "nextjs-observability-kit/routes/sentry-tunnel";',
    )
    expect(output).toContain('middleware.ts: its matcher "/:path*" may match /_ox/… and is too unusual to edit safely.')
  })

  it('a file that does not parse', async () => {
    const app = copyFixture('next15-typescript')
    writeFileSync(join(app, 'instrumentation.ts'), 'export function register( {\n')
    const output = await expectStop(app)
    expect(output).toMatch(/instrumentation\.ts: it could not be parsed \(.+\(\d+:\d+\)\)\./)
  })

  it('a Pages Router app, an app without next, an old Next', async () => {
    const pages = copyFixture('next15-typescript')
    const { rmSync } = await import('node:fs')
    rmSync(join(pages, 'app'), { recursive: true })
    mkdirSync(join(pages, 'pages'))
    writeFileSync(join(pages, 'pages/index.tsx'), 'export default function Home() { return null }\n')
    expect(await expectStop(pages)).toContain('this app uses the Pages Router only: the kit wires the App Router (app/ or src/app/)')

    const noNext = copyFixture('next15-typescript')
    writeFileSync(join(noNext, 'package.json'), '{ "name": "x" }\n')
    expect(await expectStop(noNext)).toContain('next is neither installed nor listed in package.json')

    const old = copyFixture('next15-typescript')
    writeFileSync(join(old, 'package.json'), '{ "dependencies": { "next": "^14.2.0" } }\n')
    expect(await expectStop(old)).toContain('this app uses Next 14.2.0; the kit needs Next 15.3.0 or later')
  })

  it('shapes the editors refuse rather than guess', () => {
    const refuses = (result: { kind: string }) => expect(result.kind).toBe('stop')
    refuses(editNextConfig('export default compose(withA, withB)(config)\n', DEFAULT_STYLE))
    refuses(editNextConfig('export default withPlugins([a, b], config)\n', DEFAULT_STYLE))
    refuses(editNextConfig("import config from './base'\nexport { config as default }\n", DEFAULT_STYLE))
    refuses(editInstrumentation('export async function onRequestError(error) {}\n', true, DEFAULT_STYLE))
    refuses(editInstrumentation("export { register } from './otel'\n", true, DEFAULT_STYLE))
  })
})
