import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { withTracking } from 'nextjs-observability-kit/server'
import { registerNode } from '@/lib/observability/server/register'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { configureKit, restoreKit } from '../support/llm-tracing'

/**
 * Without Sentry's Http integration the kit tells Sentry which request an event belongs to. It
 * describes a request (every header copied into the scope) only when something needs it: an event
 * raised inside the request, or the root span of a traced request. A request that raises nothing
 * is never described, and an event raised by app code still carries method, URL and filtered
 * headers, exactly as Sentry's own request data would.
 */

let fake: FakeIngest

async function start(rate: string) {
  await configureKit({ SENTRY_DSN: fake.sentryDsn, SENTRY_TRACES_SAMPLE_RATE: rate })
  await registerNode()
}

const Sentry = () => import('@sentry/nextjs')
let describedDuringRequest: unknown = 'unset'

const raising = withTracking(
  async (_request: Request, _context: unknown) => {
    const S = await Sentry()
    describedDuringRequest = S.getIsolationScope().getScopeData().sdkProcessingMetadata.normalizedRequest
    S.captureMessage('raised by the handler')
    return Response.json({ ok: true })
  },
  { endpoint: '/api/described' },
)

const quiet = withTracking(
  async (_request: Request, _context: unknown) => {
    describedDuringRequest = (await Sentry()).getIsolationScope().getScopeData().sdkProcessingMetadata.normalizedRequest
    return Response.json({ ok: true })
  },
  { endpoint: '/api/described' },
)

function call(handler: typeof raising) {
  return handler(
    new Request('http://127.0.0.1/api/described?page=2', {
      method: 'POST',
      headers: { 'x-request-id': 'described-1', accept: 'application/json', authorization: 'Bearer SECRETTOKEN', 'content-type': 'application/json' },
      body: JSON.stringify({ card: '4242424242424242' }),
    }),
    { params: Promise.resolve({}) },
  )
}

interface StreamedSpan {
  is_segment?: boolean
  attributes?: Record<string, { value?: unknown } | unknown>
}
const rootSpans = () =>
  fake
    .sentryItems('span')
    .flatMap((i) => (i.payload as { items?: StreamedSpan[] }).items ?? [])
    .filter((s) => s.is_segment === true)
const attr = (s: StreamedSpan, k: string) => {
  const v = s.attributes?.[k] as { value?: unknown } | unknown
  return v && typeof v === 'object' && 'value' in v ? v.value : v
}

beforeAll(async () => {
  fake = await startFakeIngest()
})
afterAll(async () => {
  await restoreKit()
  await fake.close()
})
beforeEach(() => {
  fake.clear()
  describedDuringRequest = 'unset'
})

describe('a tracked request is described for Sentry only when something needs it', () => {
  it('gives an event raised by app code inside the request its method, URL and filtered headers, never the body', async () => {
    await start('0')
    expect((await call(raising)).status).toBe(200)
    await fake.waitFor((f) => f.sentryEvents().some((e) => (e.payload as { message?: string }).message === 'raised by the handler'))
    const event = fake.sentryEvents().find((e) => (e.payload as { message?: string }).message === 'raised by the handler')!.payload as {
      request?: { method?: string; url?: string; query_string?: unknown; headers?: Record<string, string>; data?: unknown }
      tags?: Record<string, string>
    }
    expect(event.request).toMatchObject({ method: 'POST', url: 'http://127.0.0.1/api/described?page=2' })
    expect(event.request?.headers?.accept).toBe('application/json')
    expect(event.request?.data).toBeUndefined()
    expect(JSON.stringify(event)).not.toContain('SECRETTOKEN')
    expect(JSON.stringify(event)).not.toContain('4242424242424242')
    expect(event.tags).toMatchObject({ request_id: 'described-1', endpoint: '/api/described' })
    // Described when the event was raised, not for the request in advance.
    expect(describedDuringRequest).toBeUndefined()
  })

  it('does not describe an untraced request that raises nothing', async () => {
    await start('0')
    expect((await call(quiet)).status).toBe(200)
    expect(describedDuringRequest).toBeUndefined()
  })

  it('describes a traced request for its root span, without its secrets', async () => {
    await start('1')
    expect((await call(quiet)).status).toBe(200)
    expect(describedDuringRequest).toMatchObject({ method: 'POST', url: 'http://127.0.0.1/api/described?page=2' })
    await (await Sentry()).flush(2_000)
    await fake.waitFor(() => rootSpans().length > 0)
    const root = rootSpans()[0]!
    expect(attr(root, 'http.request.method')).toBe('POST')
    expect(String(attr(root, 'url.full'))).toContain('/api/described')
    expect(JSON.stringify(root)).not.toContain('SECRETTOKEN')
  })
})
