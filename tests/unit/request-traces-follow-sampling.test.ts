import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { withTracking } from 'nextjs-observability-kit/server'
import { registerNode } from '@/lib/observability/server/register'
import { resetObservability } from 'nextjs-observability-kit/testing'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'

/**
 * The kit decides a tracked request's sampling before its span starts (an unsampled span costs
 * CPU for nothing). It must still decide exactly as Sentry would: the browser's decision in
 * `sentry-trace` wins, else `SENTRY_TRACES_SAMPLE_RATE`; errors link to the browser's trace
 * whether or not the request was sampled; a sampled request is sampled once, not rolled twice.
 */

const TRACE = '0af7651916cd43dd8448eb211c80319c'
const PARENT = 'b7ad6b7169203331'

let fake: FakeIngest
const saved = { ...process.env }

async function start(rate: string) {
  for (const k of Object.keys(process.env)) if (/^(POSTHOG|SENTRY)_/.test(k)) delete process.env[k]
  Object.assign(process.env, { SENTRY_DSN: fake.sentryDsn, SENTRY_TRACES_SAMPLE_RATE: rate })
  resetObservability()
  await registerNode()
}

const ok = withTracking(async (_request: Request, _context: unknown) => Response.json({ ok: true }), { endpoint: '/api/traced' })
const failing = withTracking(
  async (_request: Request, _context: unknown): Promise<Response> => {
    throw new Error('traced failure')
  },
  { endpoint: '/api/traced-failure' },
)

function call(handler: typeof ok, sentryTrace?: string) {
  const headers: Record<string, string> = { 'x-request-id': 'traced-req-1', ...(sentryTrace ? { 'sentry-trace': sentryTrace } : {}) }
  return handler(new Request('http://127.0.0.1/api/traced', { headers }), { params: Promise.resolve({}) })
}

/**
 * Delivers what Sentry holds: `flush` drains the span buffer into the transport, then waits for the
 * transport to be answered. What the fake has afterwards is every span of the requests made so far.
 */
async function flushSentry() {
  const Sentry = await import('@sentry/nextjs')
  expect(await Sentry.flush(5_000), 'Sentry delivered everything it held').toBe(true)
}

interface StreamedSpan {
  trace_id: string
  span_id: string
  parent_span_id?: string
  is_segment?: boolean
  name?: string
  attributes?: Record<string, unknown>
}

/** The root span of each traced request: Sentry 11 streams spans (`span` items) rather than sending transactions. */
const transactions = () =>
  fake
    .sentryItems('span')
    .flatMap((i) => (i.payload as { items?: StreamedSpan[] }).items ?? [])
    .filter((s) => s.is_segment === true)
    .map((s) => ({ contexts: { trace: { trace_id: s.trace_id, parent_span_id: s.parent_span_id } }, attributes: s.attributes ?? {} }))

beforeAll(async () => {
  fake = await startFakeIngest()
})
afterAll(async () => {
  process.env = { ...saved }
  resetObservability()
  await fake.close()
})
beforeEach(() => fake.clear())

describe('tracked requests are sampled as Sentry would sample them, once', () => {
  it('follows the browser’s “sampled” decision while tracing is on, continuing its trace', async () => {
    await start('0.01')
    expect((await call(ok, `${TRACE}-${PARENT}-1`)).status).toBe(200)
    await flushSentry()
    await fake.waitFor(() => transactions().length > 0)
    expect(transactions()).toHaveLength(1)
    expect(transactions()[0]!.contexts.trace).toMatchObject({ trace_id: TRACE, parent_span_id: PARENT })
    // The request's spans are found by its id, like its events.
    const attr = transactions()[0]!.attributes.request_id as { value?: string } | string | undefined
    expect(typeof attr === 'string' ? attr : attr?.value).toBe('traced-req-1')
  })

  it('lets no caller turn tracing on at rate 0, whatever its sentry-trace header asks', async () => {
    await start('0')
    for (let i = 0; i < 5; i++) expect((await call(ok, `${TRACE}-${PARENT}-1`)).status).toBe(200)
    await flushSentry()
    expect(fake.sentryItems('span')).toHaveLength(0)
  })

  it('follows the browser’s “not sampled” decision even at rate 1', async () => {
    await start('1')
    await call(ok, `${TRACE}-${PARENT}-0`)
    await call(ok)
    await flushSentry()
    // Only the request without a parent decision was traced.
    expect(transactions()).toHaveLength(1)
    expect(transactions()[0]!.contexts.trace.trace_id).not.toBe(TRACE)
  })

  it('samples at SENTRY_TRACES_SAMPLE_RATE without rolling twice', async () => {
    await start('0.5')
    for (let i = 0; i < 200; i++) await call(ok)
    await flushSentry()
    const n = transactions().length
    // Binomial(200, 0.5): 100 ± 7; rolling twice (0.25) would give 50 ± 6. Bounds at > 5 sigma.
    expect(n).toBeGreaterThan(62)
    expect(n).toBeLessThan(138)
  })

  it('starts a trace of its own for each request the browser sent none for, traced or not', async () => {
    await start('1')
    for (let i = 0; i < 3; i++) await call(ok)
    await flushSentry()
    await fake.waitFor(() => transactions().length >= 3)
    const traced = transactions().map((t) => t.contexts.trace.trace_id)
    expect(new Set(traced).size).toBe(3)

    fake.clear()
    await start('0')
    for (let i = 0; i < 2; i++) expect((await call(failing)).status).toBe(500)
    await fake.waitFor((f) => f.sentryEvents().length >= 2)
    const errors = fake.sentryEvents().map((e) => (e.payload as { contexts: { trace: { trace_id: string } } }).contexts.trace.trace_id)
    expect(new Set(errors).size).toBe(2)
    expect(errors.some((id) => traced.includes(id))).toBe(false)
  })

  it('links an unsampled request’s error to the browser’s trace', async () => {
    await start('0')
    expect((await call(failing, `${TRACE}-${PARENT}-0`)).status).toBe(500)
    await fake.waitFor((f) => f.sentryEvents().length > 0)
    const event = fake.sentryEvents()[0]!.payload as { contexts: { trace: { trace_id: string } }; request?: { url?: string; method?: string } }
    expect(event.contexts.trace.trace_id).toBe(TRACE)
    expect(event.request).toMatchObject({ method: 'GET', url: 'http://127.0.0.1/api/traced' })
    expect(transactions()).toHaveLength(0)
  })
})
