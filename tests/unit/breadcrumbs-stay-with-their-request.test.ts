import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addBreadcrumb, withTracking } from '@/lib/observability/server'
import { exceptionSteps, EXCEPTION_STEPS_MAX_BYTES, toSentryBreadcrumb } from '@/lib/observability/shared/breadcrumb'
import { getPostHog } from '@/lib/observability/server/posthog-client'
import { registerNode } from '@/lib/observability/server/register'
import { sentryForRequest, waitForEvents } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { configureKit, inRequest, restoreKit } from '../support/llm-tracing'

/**
 * `addBreadcrumb()` and console lines (info and above) on the server belong to the request that
 * left them: its Sentry event carries them, its PostHog `$exception` carries them as
 * `$exception_steps`, and no other request's event ever does, however the requests interleave.
 * Lines printed outside any request, and the kit's own `[observability]` lines, are nobody's
 * steps. Real SDKs (@sentry/nextjs, posthog-node) against the fake ingestion server.
 */

let fake: FakeIngest
const SECRET = 'hunter2-planted-in-a-breadcrumb'

interface SentryCrumb {
  category?: string
  message?: string
  level?: string
  data?: Record<string, unknown>
}
const crumbsOf = (requestId: string): SentryCrumb[] => {
  const [event] = sentryForRequest(fake, requestId)
  const b = (event?.payload as { breadcrumbs?: SentryCrumb[] | { values: SentryCrumb[] } } | undefined)?.breadcrumbs
  return Array.isArray(b) ? b : (b?.values ?? [])
}

const probe = withTracking(
  async (request: Request, _context: unknown): Promise<Response> => {
    const q = new URL(request.url).searchParams
    const name = q.get('name')!
    addBreadcrumb({ category: 'probe', message: `started ${name}`, data: { name, password: SECRET } })
    console.info(`probe ${name}: info line`)
    console.log(`probe ${name}: log line`)
    console.debug(`probe ${name}: debug line`)
    console.warn(`[observability] a line of the kit's own, during ${name}`)
    await new Promise((r) => setTimeout(r, Number(q.get('ms'))))
    addBreadcrumb({ category: 'probe', message: `woke ${name}`, level: 'warning' })
    throw new Error(`probe ${name} failed`)
  },
  { endpoint: '/api/probe' },
)

const call = (name: string, ms: number) =>
  probe(new Request(`http://127.0.0.1/api/probe?name=${name}&ms=${ms}`, { headers: { 'x-request-id': `crumbs-${name}` } }), { params: Promise.resolve({}) })

beforeAll(async () => {
  fake = await startFakeIngest()
  await configureKit({ SENTRY_DSN: fake.sentryDsn, POSTHOG_API_KEY: 'phc_crumbstests12345', POSTHOG_HOST: fake.posthogHost, SENTRY_TRACES_SAMPLE_RATE: '0' })
  await registerNode()
})
afterAll(async () => {
  await restoreKit()
  await fake?.close()
})

describe('breadcrumbs stay with the request that left them', () => {
  it('gives each of two interleaved requests its own steps, in Sentry and in PostHog, scrubbed', async () => {
    // Left outside any request: on the process's scope it would reach both requests below.
    addBreadcrumb({ category: 'probe', message: 'outside any request' })
    console.info('printed outside any request')
    // a starts first and ends last: b runs entirely inside a's wait.
    const [a, b] = await Promise.all([call('a', 300), new Promise((r) => setTimeout(r, 50)).then(() => call('b', 50))])
    expect([a.status, b.status]).toEqual([500, 500])
    await fake.waitFor(() => sentryForRequest(fake, 'crumbs-a').length > 0 && sentryForRequest(fake, 'crumbs-b').length > 0)

    for (const [mine, other] of [
      ['a', 'b'],
      ['b', 'a'],
    ] as const) {
      const crumbs = crumbsOf(`crumbs-${mine}`)
      const text = JSON.stringify(crumbs)
      expect(crumbs.filter((c) => c.category === 'probe').map((c) => [c.message, c.level])).toEqual([
        [`started ${mine}`, 'info'],
        [`woke ${mine}`, 'warning'],
      ])
      expect(crumbs.filter((c) => c.category === 'console').map((c) => c.message)).toEqual([`probe ${mine}: info line`])
      expect(text).not.toContain(`probe ${other}`)
      expect(text).not.toContain(`${other}:`)
      expect(text).not.toContain('outside any request')
      expect(text).not.toContain('[observability]')
      expect(text).not.toContain(SECRET)
      expect(crumbs.find((c) => c.message === `started ${mine}`)?.data).toEqual({ name: mine, password: '[Filtered]' })
    }

    for (const [mine, other] of [
      ['a', 'b'],
      ['b', 'a'],
    ] as const) {
      const [exception] = await waitForEvents(fake, (e) => e.event === '$exception' && e.properties?.request_id === `crumbs-${mine}`)
      const steps = exception!.properties.$exception_steps as Array<Record<string, unknown>>
      expect(steps.map((s) => s.$message)).toEqual([`started ${mine}`, `probe ${mine}: info line`, `woke ${mine}`])
      expect(steps[0]).toMatchObject({ category: 'probe', level: 'info', data: { name: mine, password: '[Filtered]' } })
      expect(typeof steps[0]!.$timestamp).toBe('string')
      expect(JSON.stringify(steps)).not.toContain(other === 'a' ? 'started a' : 'started b')
    }
    await getPostHog()?.flush()
  })

  it('keeps nothing printed or added outside a request for the requests that follow', async () => {
    addBreadcrumb({ category: 'probe', message: 'left between requests' })
    console.error('an error printed between requests')
    await call('c', 0)
    await fake.waitFor(() => sentryForRequest(fake, 'crumbs-c').length > 0)
    const text = JSON.stringify(crumbsOf('crumbs-c'))
    expect(text).toContain('started c')
    expect(text).not.toContain('between requests')
  })
})

describe('a breadcrumb is bounded before any SDK sees it, and scrubbed on its way out', () => {
  it('fills in the level and category and cuts long text', () => {
    const crumb = toSentryBreadcrumb({ message: 'y'.repeat(5_000), data: { n: 1 }, level: 'nonsense' as 'info' })
    expect(crumb).toMatchObject({ type: 'default', category: 'app', level: 'info', data: { n: 1 } })
    expect(crumb.message).toHaveLength(2_000)
  })

  it('scrubs messages and data through Sentry’s beforeBreadcrumb', async () => {
    await inRequest('crumbs-scrub', async () => {
      addBreadcrumb({ category: 'probe', message: 'login with token=abc123secretvalue', data: { api_key: 'k', nested: { authorization: 'Bearer abc' } } })
      const Sentry = await import('@sentry/nextjs')
      const [crumb] = Sentry.getIsolationScope()
        .getScopeData()
        .breadcrumbs.filter((b) => b.category === 'probe')
      expect(crumb).toMatchObject({ data: { api_key: '[Filtered]', nested: { authorization: '[Filtered]' } } })
      expect(crumb!.message).not.toContain('abc123secretvalue')
    })
  })

  it('keeps PostHog steps within 32 KB, the newest kept', () => {
    const crumbs = Array.from({ length: 100 }, (_, i) => ({
      message: `step ${i}`,
      category: 'c',
      timestamp: 1_767_225_600 + i,
      data: { blob: 'y'.repeat(1_000) },
    }))
    const steps = exceptionSteps(crumbs)
    expect(new TextEncoder().encode(JSON.stringify(steps)).byteLength).toBeLessThanOrEqual(EXCEPTION_STEPS_MAX_BYTES + steps.length)
    expect(steps.at(-1)).toMatchObject({ $message: 'step 99', $timestamp: new Date((1_767_225_600 + 99) * 1_000).toISOString() })
    expect(steps.length).toBeLessThan(100)
  })
})
