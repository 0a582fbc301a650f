import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { everythingSent, sentryForRequest, waitForEvents } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { startNext, type NextServer } from '../support/next-server'

/**
 * On the production build (`next build && next start`, real SDKs, the fake ingestion server),
 * two requests that overlap in time each leave breadcrumbs naming themselves
 * (`/api/debug/breadcrumbs`: `addBreadcrumb()` and a console line per level), then fail. Each
 * Sentry event, and each PostHog `$exception` (`$exception_steps`), carries its own request's
 * steps only; `console.log`/`debug`, the kit's startup line and a secret planted in a
 * breadcrumb's data reach neither backend.
 */

let fake: FakeIngest
let app: NextServer
const SECRET = 'hunter2-planted-in-breadcrumb-data'

interface Crumb {
  category?: string
  message?: string
  level?: string
  data?: Record<string, unknown>
}
function crumbsOf(requestId: string): Crumb[] {
  const events = sentryForRequest(fake, requestId)
  expect(events).toHaveLength(1)
  const b = (events[0]!.payload as { breadcrumbs?: Crumb[] | { values: Crumb[] } }).breadcrumbs
  return Array.isArray(b) ? b : (b?.values ?? [])
}

beforeAll(async () => {
  fake = await startFakeIngest()
  app = await startNext({
    POSTHOG_API_KEY: 'phc_integrationkey1234',
    POSTHOG_HOST: fake.posthogHost,
    SENTRY_DSN: fake.sentryDsn,
    DEBUG: '1',
    SENTRY_TRACES_SAMPLE_RATE: '0',
  })
})
afterAll(async () => {
  await app?.stop()
  await fake?.close()
})

describe('a request’s breadcrumbs go with its own error only', () => {
  it('keeps two overlapping requests’ steps apart, in Sentry and in PostHog', async () => {
    const get = (name: string, ms: number) =>
      fetch(`${app.url}/api/debug/breadcrumbs?name=${name}&ms=${ms}&secret=${SECRET}`, { headers: { 'x-request-id': `bc-${name}` } })
    // `early` starts first and ends last; `late` runs entirely inside its wait.
    const early = get('early', 800)
    await new Promise((r) => setTimeout(r, 150))
    const late = get('late', 50)
    expect([(await early).status, (await late).status]).toEqual([500, 500])
    await fake.waitFor(() => sentryForRequest(fake, 'bc-early').length > 0 && sentryForRequest(fake, 'bc-late').length > 0, { timeoutMs: 15_000 })

    for (const [mine, other] of [
      ['early', 'late'],
      ['late', 'early'],
    ] as const) {
      const crumbs = crumbsOf(`bc-${mine}`)
      expect(crumbs.filter((c) => c.category === 'debug').map((c) => [c.message, c.level])).toEqual([
        [`started ${mine}`, 'info'],
        [`woke ${mine}`, 'warning'],
      ])
      expect(crumbs.filter((c) => c.category === 'console').map((c) => [c.message, c.level])).toEqual([
        [`[demo] ${mine}: info line`, 'info'],
        [`[demo] ${mine}: warn line`, 'warning'],
      ])
      expect(crumbs.find((c) => c.message === `started ${mine}`)!.data).toEqual({ name: mine, password: '[Filtered]' })
      const text = JSON.stringify(crumbs)
      expect(text).not.toContain(other)
      expect(text).not.toContain('[observability]')

      const [exception] = await waitForEvents(fake, (e) => e.event === '$exception' && e.properties?.request_id === `bc-${mine}`)
      const steps = exception!.properties.$exception_steps as Array<{ $message: string }>
      expect(steps.map((s) => s.$message)).toEqual([`started ${mine}`, `[demo] ${mine}: info line`, `[demo] ${mine}: warn line`, `woke ${mine}`])
    }
    // Nothing of the planted secret left the app, by either backend, in any field.
    expect(everythingSent(fake)).not.toContain(SECRET)
  })

  it('leaves the demo chat’s steps on its failures', async () => {
    const res = await fetch(`${app.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bc-chat' },
      body: JSON.stringify({ prompt: 'fail: provider_error' }),
    })
    expect(res.status).toBe(500)
    await fake.waitFor(() => sentryForRequest(fake, 'bc-chat').length > 0)
    expect(
      crumbsOf('bc-chat')
        .filter((c) => c.category === 'chat')
        .map((c) => c.message),
    ).toEqual(['prompt received', 'model called'])
  })
})
