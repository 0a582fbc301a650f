import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { waitForEvents } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { startNext, type NextServer } from '../support/next-server'

let fake: FakeIngest
let app: NextServer

const user = (id: string, email = `${id}@example.com`, name = `Name ${id}`) => `demo_user=${encodeURIComponent(JSON.stringify({ id, email, name }))}`

const env = (fake: FakeIngest) => ({
  POSTHOG_API_KEY: 'phc_integrationkey1234',
  POSTHOG_HOST: fake.posthogHost,
  SENTRY_DSN: fake.sentryDsn,
  DEBUG: '1',
  SLOW_REQUEST_THRESHOLD_MS: '300',
  APP_ENV: 'staging',
  RELEASE_SHA: 'abc123',
  POSTHOG_INTERNAL_DOMAINS: 'example.com',
})

beforeAll(async () => {
  fake = await startFakeIngest()
  app = await startNext(env(fake))
})
afterAll(async () => {
  await app?.stop()
  await fake?.close()
})
beforeEach(() => fake.clear())

const byRequest = (id: string) => (e: { properties?: Record<string, unknown> }) => e.properties?.request_id === id
const sentryFor = (id: string, from = fake) => from.sentryEvents().filter((i) => (i.payload as { tags?: Record<string, string> }).tags?.request_id === id)

describe('every tracked request is recorded, and every failure reported once to each backend', () => {
  describe('api_request is captured for every tracked request', () => {
    it('carries the route, status, timing, request id, environment and release', async () => {
      const res = await fetch(`${app.url}/api/ping`, { headers: { 'x-request-id': 'ping-1' } })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-request-id')).toBe('ping-1')
      const [event] = await waitForEvents(fake, (e) => e.event === 'api_request' && byRequest('ping-1')(e))
      expect(event!.properties).toMatchObject({
        endpoint: '/api/ping',
        method: 'GET',
        status_code: 200,
        request_id: 'ping-1',
        success: true,
        user_id: 'anonymous',
        environment: 'staging',
        release: 'nextjs-observability-kit-demo@abc123',
        $process_person_profile: false,
      })
      expect(typeof event!.properties.response_time_ms).toBe('number')
      // Delivered by posthog-node in its worker thread, the Turbopack worker entry of the build:
      // had it failed to start, the kit would have said so and carried on in the request thread.
      expect(app.output()).not.toContain('posthog-node worker')
    })

    it('uses the route pattern as endpoint and the signed-in user', async () => {
      const res = await fetch(`${app.url}/api/debug/slow?ms=0`, { headers: { cookie: user('u-42') } })
      const id = res.headers.get('x-request-id')!
      const [event] = await waitForEvents(fake, (e) => e.event === 'api_request' && byRequest(id)(e))
      expect(event).toMatchObject({
        distinct_id: 'u-42',
        properties: { endpoint: '/api/debug/slow', user_id: 'u-42', user_email: 'u-42@example.com', is_internal: true },
      })
      expect(event!.properties.user_name).toBeUndefined()
    })

    it('emits slow_request past the threshold', async () => {
      const res = await fetch(`${app.url}/api/debug/slow?ms=450`)
      const id = res.headers.get('x-request-id')!
      const [slow] = await waitForEvents(fake, (e) => e.event === 'slow_request' && byRequest(id)(e))
      expect(slow!.properties).toMatchObject({ endpoint: '/api/debug/slow', method: 'GET', threshold_ms: 300, request_id: id, environment: 'staging' })
      expect(slow!.properties.duration_ms as number).toBeGreaterThanOrEqual(400)
    })
  })

  describe('failures are categorised for both backends', () => {
    it.each([
      ['RateLimitError', 'quota_error', 'medium'],
      ['AuthenticationError', 'auth_error', 'high'],
      ['ValidationError', 'validation_error', 'low'],
      ['ContentFilterError', 'content_filter', 'low'],
      ['ProviderError', 'provider_error', 'medium'],
    ])('categorises %s as %s with fingerprint [type, category]', async (kind, category, impact) => {
      const id = `cat-${kind}`
      await fetch(`${app.url}/api/debug/throw?kind=${kind}`, { headers: { 'x-request-id': id } })
      await fake.waitFor(() => sentryFor(id).length > 0)
      const se = sentryFor(id)[0]!.payload as Record<string, any>
      expect(se.tags).toMatchObject({ error_type: category, user_impact: impact })
      expect(se.fingerprint).toEqual([kind, category])
      const [apiError] = await waitForEvents(fake, (e) => e.event === 'api_error' && byRequest(id)(e))
      expect(apiError!.properties.error_type).toBe(category)
    })
  })

  /**
   * Counts ("once", "never") are read after the app has stopped: one app serves every request below,
   * the first report of each is awaited, then the app stops, which delivers everything both SDKs
   * still hold (deliver-on-shutdown). What the fake has then is final: a late duplicate is in it.
   */
  describe('a failure is reported once to each backend, linked both ways; control flow and client errors never', () => {
    let delivered: FakeIngest
    const answered = new Map<string, { status: number; body: string }>()

    beforeAll(async () => {
      delivered = await startFakeIngest()
      const served = await startNext(env(delivered))
      const call = async (id: string, path: string, init: RequestInit = {}) => {
        const res = await fetch(`${served.url}${path}`, {
          redirect: 'manual',
          ...init,
          headers: { 'x-request-id': id, ...(init.headers as Record<string, string>) },
        })
        answered.set(id, { status: res.status, body: await res.text() })
      }
      const arrived = (what: string, check: (f: FakeIngest) => unknown) => delivered.waitFor(check, { timeoutMs: 15_000, message: what })
      const has = (event: string, id: string) => (f: FakeIngest) => f.events().some((e) => e.event === event && byRequest(id)(e))
      try {
        await call('fail-1', '/api/debug/throw?kind=TypeError&msg=kaboom', { headers: { cookie: user('u-7') } })
        await call('client-422', '/api/debug/throw?kind=ValidationError&status=422')
        await call('cf-redirect', '/api/debug/throw?kind=redirect')
        await call('cf-404', '/api/debug/throw?kind=notFound')
        await call('rsc-1', '/debug/server-error')
        await call('mw-1', '/debug/middleware-throw?token=EDGESECRET123', { headers: { authorization: 'Bearer EDGEAUTHSECRET' } })
        await fetch(`${served.url}/api/health`)
        await call('after-health', '/api/ping')
        for (const id of ['fail-1', 'rsc-1', 'mw-1']) {
          await arrived(`Sentry event for ${id}`, (f) => sentryFor(id, f).length > 0)
          await arrived(`$exception for ${id}`, has('$exception', id))
        }
        for (const id of ['fail-1', 'client-422', 'cf-redirect', 'cf-404', 'after-health']) await arrived(`api_request for ${id}`, has('api_request', id))
        for (const id of ['fail-1', 'client-422']) await arrived(`api_error for ${id}`, has('api_error', id))
      } finally {
        await served.stop()
        await delivered.close()
      }
    })

    const events = (event: string, id: string) => delivered.events().filter((e) => e.event === event && byRequest(id)(e))

    it('answers a JSON 500 with the request id and reports Sentry + $exception + api_error', () => {
      expect(answered.get('fail-1')?.status).toBe(500)
      expect(JSON.parse(answered.get('fail-1')!.body)).toEqual({ error: 'Internal Server Error', request_id: 'fail-1' })
      const sentry = sentryFor('fail-1', delivered)
      expect(sentry).toHaveLength(1)
      const se = sentry[0]!.payload as Record<string, any>
      expect(se.tags).toMatchObject({
        request_id: 'fail-1',
        endpoint: '/api/debug/throw',
        error_type: 'application_error',
        user_impact: 'high',
        posthog_distinct_id: 'u-7',
      })
      expect(se.fingerprint).toEqual(['TypeError', 'kaboom'])
      expect(se.environment).toBe('staging')
      expect(se.release).toBe('nextjs-observability-kit-demo@abc123')
      expect(se.user).toEqual({ id: 'u-7', email: 'u-7@example.com' })
      expect(se.exception.values[0]).toMatchObject({ type: 'TypeError', value: 'kaboom' })

      const exceptions = events('$exception', 'fail-1')
      expect(exceptions).toHaveLength(1)
      const [exception] = exceptions
      const [apiError] = events('api_error', 'fail-1')
      expect(exception!.properties).toMatchObject({
        request_id: 'fail-1',
        endpoint: '/api/debug/throw',
        method: 'GET',
        error_type: 'application_error',
        user_id: 'u-7',
        user_email: 'u-7@example.com',
        $sentry_event_id: se.event_id,
      })
      expect(exception!.properties.$exception_list).toEqual([expect.objectContaining({ type: 'TypeError', value: 'kaboom' })])
      expect(apiError!.properties).toMatchObject({
        error_type: 'application_error',
        error_message: 'kaboom',
        exception_type: 'TypeError',
        endpoint: '/api/debug/throw',
        method: 'GET',
        status_code: 500,
        request_id: 'fail-1',
        user_id: 'u-7',
        environment: 'staging',
        sentry_event_id: se.event_id,
      })
      expect(String(apiError!.properties.traceback)).toMatch(/TypeError: kaboom/)
      const [request] = events('api_request', 'fail-1')
      expect(request!.properties).toMatchObject({ status_code: 500, success: false })
    })

    it('keeps expected client errors out of Sentry but still counts them', () => {
      expect(answered.get('client-422')?.status).toBe(422)
      expect(events('api_request', 'client-422')).toHaveLength(1)
      expect(events('api_error', 'client-422')).toHaveLength(1)
      expect(sentryFor('client-422', delivered)).toEqual([])
      expect(events('$exception', 'client-422')).toEqual([])
    })

    it('treats redirect() and notFound() as control flow, not errors', () => {
      expect([307, 308]).toContain(answered.get('cf-redirect')?.status)
      expect(answered.get('cf-404')?.status).toBe(404)
      expect(events('api_request', 'cf-redirect')[0]!.properties.status_code).toBe(307)
      expect(events('api_request', 'cf-404')[0]!.properties.status_code).toBe(404)
      expect([...sentryFor('cf-redirect', delivered), ...sentryFor('cf-404', delivered)]).toEqual([])
      expect([...events('api_error', 'cf-redirect'), ...events('api_error', 'cf-404')]).toEqual([])
    })

    it('reports a server component render error once per backend through onRequestError', () => {
      expect(answered.get('rsc-1')?.status).toBe(500)
      expect(sentryFor('rsc-1', delivered)).toHaveLength(1)
      expect(events('$exception', 'rsc-1')).toHaveLength(1)
      expect((sentryFor('rsc-1', delivered)[0]!.payload as Record<string, any>).tags).toMatchObject({ endpoint: '/debug/server-error', route_type: 'render' })
    })

    it('reports a middleware error on the Edge runtime once per backend, with the request id and no secrets', () => {
      expect(answered.get('mw-1')?.status).toBe(500)
      expect(sentryFor('mw-1', delivered)).toHaveLength(1)
      const se = sentryFor('mw-1', delivered)[0]!.payload as Record<string, any>
      expect(se.exception.values.at(-1)).toMatchObject({ type: 'Error', value: 'Debug middleware error' })
      expect(se.tags).toMatchObject({ route_type: 'proxy', request_id: 'mw-1' })
      const ph = events('$exception', 'mw-1')
      expect(ph).toHaveLength(1)
      expect(ph[0]!.properties).toMatchObject({ $sentry_event_id: se.event_id, route_type: 'proxy' })
      const text = JSON.stringify([se, ph])
      expect(text).not.toContain('EDGESECRET123')
      expect(text).not.toContain('EDGEAUTHSECRET')
    })

    it('produces no events for health checks', () => {
      expect(answered.get('after-health')?.status).toBe(200)
      expect(delivered.events().filter((e) => e.properties?.endpoint === '/api/health')).toEqual([])
    })
  })

  describe('per-request isolation', () => {
    it('never mixes the users of two concurrent requests', async () => {
      const calls = Array.from({ length: 6 }, (_, i) =>
        fetch(`${app.url}/api/debug/slow?ms=${200 - i * 20}`, { headers: { cookie: user(`user-${i}`), 'x-request-id': `iso-${i}` } }).then(
          (r) => r.json() as Promise<{ user: string; request_id: string }>,
        ),
      )
      const bodies = await Promise.all(calls)
      bodies.forEach((b, i) => expect(b).toMatchObject({ user: `user-${i}`, request_id: `iso-${i}` }))
      for (let i = 0; i < 6; i++) {
        const [e] = await waitForEvents(fake, (ev) => ev.event === 'api_request' && byRequest(`iso-${i}`)(ev))
        expect(e).toMatchObject({ distinct_id: `user-${i}`, properties: { user_id: `user-${i}`, user_email: `user-${i}@example.com` } })
      }
    })
  })
})
