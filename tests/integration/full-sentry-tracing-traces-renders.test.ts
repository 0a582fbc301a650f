import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sentryForRequest } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { startNext, type NextServer } from '../support/next-server'

/**
 * `SENTRY_TRACING=full` turns on Sentry's OpenTelemetry setup (docs/decisions/009): a dynamic
 * page whose server component calls `fetch` (`/debug/traced`) is traced with its render and its
 * outgoing request in one trace, and a tracked route keeps one root span (Sentry's), carrying the
 * kit's `request_id`, with its failure in the same trace. The default (`kit`) traces neither the
 * render nor the page's `fetch`: only the kit's own spans around tracked routes. Production
 * build, real SDK, the fake ingestion server; each server is stopped (which flushes) before its
 * spans are read.
 */

interface Span {
  trace_id: string
  span_id: string
  parent_span_id?: string
  name: string
  is_segment?: boolean
  attributes?: Record<string, { value?: unknown } | unknown>
}

const attr = (s: Span, key: string): unknown => {
  const v = s.attributes?.[key]
  return v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v
}
const spansOf = (fake: FakeIngest): Span[] => fake.sentryItems('span').flatMap((i) => (i.payload as { items?: Span[] }).items ?? [])
const op = (s: Span) => String(attr(s, 'sentry.op') ?? '')

async function run(tracing: 'kit' | 'full'): Promise<{ spans: Span[]; fake: FakeIngest; output: string }> {
  const fake = await startFakeIngest()
  let app: NextServer | undefined
  try {
    app = await startNext({ SENTRY_DSN: fake.sentryDsn, SENTRY_TRACING: tracing, SENTRY_TRACES_SAMPLE_RATE: '1', DEBUG: '1' })
    const page = await fetch(`${app.url}/debug/traced`)
    expect(page.status).toBe(200)
    expect(await page.text()).toMatch(/\/api\/health answered (<!-- -->)?200/)
    expect((await fetch(`${app.url}/api/ping`, { headers: { 'x-request-id': `ping-${tracing}` } })).status).toBe(200)
    expect((await fetch(`${app.url}/api/debug/throw?msg=traced`, { headers: { 'x-request-id': `throw-${tracing}` } })).status).toBe(500)
    await fake.waitFor(() => sentryForRequest(fake, `throw-${tracing}`).length > 0)
    await app.stop()
    return { spans: spansOf(fake), fake, output: app.output() }
  } catch (error) {
    await app?.stop()
    await fake.close()
    throw error
  }
}

describe('SENTRY_TRACING=full traces what Sentry’s own setup traces', () => {
  let full: Awaited<ReturnType<typeof run>>
  let kit: Awaited<ReturnType<typeof run>>
  beforeAll(async () => {
    full = await run('full')
    kit = await run('kit')
  })
  afterAll(async () => {
    await full?.fake.close()
    await kit?.fake.close()
  })

  it('with full, puts the server component’s render and its fetch in the page’s trace', () => {
    const root = full.spans.find((s) => s.is_segment && s.name === 'GET /debug/traced')
    expect(root, full.spans.map((s) => `${s.name} [${op(s)}]`).join('\n')).toBeDefined()
    const trace = full.spans.filter((s) => s.trace_id === root!.trace_id)
    const fetchSpan = trace.find((s) => op(s) === 'http.client' && String(attr(s, 'url.full') ?? attr(s, 'http.url') ?? s.name).includes('/api/health'))
    expect(fetchSpan, trace.map((s) => `${s.name} [${op(s)}]`).join('\n')).toBeDefined()
    const names = trace.map((s) => `${s.name} [${op(s)}]`)
    // Next's render span and Sentry's server component span (op `function`), as @sentry/nextjs 11.11 names them.
    expect(names).toEqual(expect.arrayContaining(['render route (app) /debug/traced []', 'Page [function]']))
    expect(full.output).toContain('full tracing')
  })

  it('with full, keeps one root span per tracked request, Sentry’s, with the request id and its failure in its trace', () => {
    const roots = full.spans.filter((s) => s.is_segment && attr(s, 'request_id') === 'ping-full')
    expect(roots.map((s) => s.name)).toEqual(['GET /api/ping'])
    // No second, kit-made transaction for the same request.
    expect(full.spans.filter((s) => attr(s, 'observability.presampled') === true)).toEqual([])
    const throwRoot = full.spans.find((s) => s.is_segment && attr(s, 'request_id') === 'throw-full')
    const [event] = sentryForRequest(full.fake, 'throw-full')
    expect((event!.payload as { contexts: { trace: { trace_id: string } } }).contexts.trace.trace_id).toBe(throwRoot!.trace_id)
  })

  it('with kit (the default), traces neither the render nor the page’s fetch, only tracked routes', () => {
    expect(kit.spans.some((s) => s.name.includes('/debug/traced'))).toBe(false)
    expect(kit.spans.some((s) => op(s) === 'http.client')).toBe(false)
    expect(kit.spans.some((s) => /server component|render/i.test(`${s.name} ${op(s)}`))).toBe(false)
    expect(kit.spans.filter((s) => s.is_segment && attr(s, 'request_id') === 'ping-kit').map((s) => s.name)).toEqual(['GET /api/ping'])
    expect(kit.output).not.toContain('full tracing')
  })
})
