import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_STYLE } from '@/lib/observability/cli/code-style'
import { editInstrumentation } from '@/lib/observability/cli/edit-instrumentation'
import { editInstrumentationClient } from '@/lib/observability/cli/edit-instrumentation-client'
import { copyFixture, evaluateModule, init } from './init-fixture-tree'

/**
 * The package's instrumentation entry, recorded: these tests check the order and arguments of the
 * calls the generated code makes (the kit's own behaviour is tested with the real SDKs elsewhere).
 */
function recordingKit(calls: string[]) {
  return {
    register: async () => void calls.push('kit register'),
    onRequestError: async (...args: unknown[]) => void calls.push(`kit onRequestError ${args.length}`),
  }
}

const error = new Error('boom')
const request = { path: '/orders', method: 'GET', headers: {} }
const context = { routerKind: 'App Router', routePath: '/orders', routeType: 'route' }

describe("the app's own instrumentation runs after the kit's, and keeps working", () => {
  it('register: the kit first, then the app (OpenTelemetry); onRequestError re-exported', async () => {
    const app = copyFixture('existing-instrumentation')
    expect((await init(app, { yes: true })).code).toBe(0)
    const calls: string[] = []
    const mod = evaluateModule(readFileSync(join(app, 'src/instrumentation.ts'), 'utf8'), {
      'nextjs-observability-kit/instrumentation': recordingKit(calls),
      '@vercel/otel': { registerOTel: (options: { serviceName: string }) => void calls.push(`otel ${options.serviceName}`) },
    }) as { register: () => Promise<void>; onRequestError: (...args: unknown[]) => Promise<void> }
    await mod.register()
    expect(calls).toEqual(['kit register', 'otel billing'])
    await mod.onRequestError(error, request, context)
    expect(calls.at(-1)).toBe('kit onRequestError 3')
  })

  it("onRequestError = Sentry.captureRequestError: the kit's, then Sentry's, with the same arguments", async () => {
    const app = copyFixture('sentry-wrapped-config')
    expect((await init(app, { yes: true })).code).toBe(0)
    const calls: string[] = []
    const seen: unknown[][] = []
    const mod = evaluateModule(readFileSync(join(app, 'instrumentation.ts'), 'utf8'), {
      'nextjs-observability-kit/instrumentation': recordingKit(calls),
      '@sentry/nextjs': { captureRequestError: (...args: unknown[]) => void (calls.push('sentry'), seen.push(args)) },
    }) as { onRequestError: (...args: unknown[]) => Promise<void> }
    await mod.onRequestError(error, request, context)
    expect(calls).toEqual(['kit onRequestError 3', 'sentry'])
    expect(seen).toEqual([[error, request, context]])
  })

  it('composes the other shapes of register and onRequestError', async () => {
    const result = editInstrumentation(
      `export const register = () => setUp()\nexport function onRequestError(...args) {\n  log(args)\n}\n`,
      false,
      DEFAULT_STYLE,
    )
    if (result.kind !== 'edited') throw new Error(JSON.stringify(result))
    expect(result.code).toContain('export const register = async () => {\n  await registerObservability()\n  return setUp()\n}')
    expect(result.code).toContain('export async function onRequestError(...args) {\n  await onObservabilityRequestError(...args)\n  log(args)\n}')
    const calls: string[] = []
    const mod = evaluateModule(result.code, { 'nextjs-observability-kit/instrumentation': recordingKit(calls) }) as Record<
      string,
      (...args: unknown[]) => Promise<void>
    >
    const globals = globalThis as unknown as Record<string, unknown>
    globals.setUp = () => calls.push('app register')
    globals.log = (args: unknown[]) => calls.push(`app onRequestError ${args.length}`)
    try {
      await mod.register!()
      await mod.onRequestError!(error, request, context)
    } finally {
      delete globals.setUp
      delete globals.log
    }
    expect(calls).toEqual(['kit register', 'app register', 'kit onRequestError 3', 'app onRequestError 3'])
  })

  it('instrumentation-client: the import and bootObservability() once, after the imports', () => {
    const result = editInstrumentationClient(`import * as Sentry from '@sentry/nextjs'\n\nSentry.init({})\n`, DEFAULT_STYLE)
    if (result.kind !== 'edited') throw new Error(JSON.stringify(result))
    expect(result.code).toBe(
      `import * as Sentry from '@sentry/nextjs'\nimport { bootObservability } from 'nextjs-observability-kit/client'\n\nbootObservability()\n\nSentry.init({})\n`,
    )
    expect(editInstrumentationClient(result.code, DEFAULT_STYLE).kind).toBe('unchanged')
  })
})
