import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { allText, sentryForRequest, waitForEvents } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { startNext, type NextServer } from '../support/next-server'

let fake: FakeIngest
let app: NextServer

const user = (id: string, email = `${id}@example.com`, name = `Name ${id}`) => `demo_user=${encodeURIComponent(JSON.stringify({ id, email, name }))}`

beforeAll(async () => {
  fake = await startFakeIngest()
  app = await startNext({
    POSTHOG_API_KEY: 'phc_integrationkey1234',
    POSTHOG_HOST: fake.posthogHost,
    SENTRY_DSN: fake.sentryDsn,
    DEBUG: '1',
    SLOW_REQUEST_THRESHOLD_MS: '300',
    APP_ENV: 'staging',
    RELEASE_SHA: 'abc123',
    POSTHOG_INTERNAL_DOMAINS: 'example.com',
  })
})
afterAll(async () => {
  await app?.stop()
  await fake?.close()
})
beforeEach(() => fake.clear())

const byRequest = (id: string) => (e: { properties?: Record<string, unknown> }) => e.properties?.request_id === id
const sentryFor = (id: string) => fake.sentryEvents().filter((i) => (i.payload as { tags?: Record<string, string> }).tags?.request_id === id)

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
    expect(event).toMatchObject({ distinct_id: 'u-42', properties: { endpoint: '/api/debug/slow', user_id: 'u-42', user_email: 'u-42@example.com', is_internal: true } })
    expect(event!.properties.user_name).toBeUndefined()
  })

  it('emits slow_request past the threshold', async () => {
    const res = await fetch(`${app.url}/api/debug/slow?ms=450`)
    const id = res.headers.get('x-request-id')!
    const [slow] = await waitForEvents(fake, (e) => e.event === 'slow_request' && byRequest(id)(e))
    expect(slow!.properties).toMatchObject({ endpoint: '/api/debug/slow', method: 'GET', threshold_ms: 300, request_id: id, environment: 'staging' })
    expect(slow!.properties.duration_ms as number).toBeGreaterThanOrEqual(400)
  })

  it('produces no events for health checks', async () => {
    await fetch(`${app.url}/api/health`)
    const res = await fetch(`${app.url}/api/ping`, { headers: { 'x-request-id': 'after-health' } })
    expect(res.ok).toBe(true)
    await waitForEvents(fake, (e) => byRequest('after-health')(e))
    expect(fake.events().filter((e) => e.properties?.endpoint === '/api/health')).toEqual([])
  })
})

describe('a failure is reported once to each backend, linked both ways', () => {
  it('answers a JSON 500 with the request id and reports Sentry + $exception + api_error', async () => {
    const res = await fetch(`${app.url}/api/debug/throw?kind=TypeError&msg=kaboom`, { headers: { 'x-request-id': 'fail-1', cookie: user('u-7') } })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ error: 'Internal Server Error', request_id: 'fail-1' })
    const [exception] = await waitForEvents(fake, (e) => e.event === '$exception' && byRequest('fail-1')(e))
    const [apiError] = await waitForEvents(fake, (e) => e.event === 'api_error' && byRequest('fail-1')(e))
    await fake.waitFor(() => sentryFor('fail-1').length > 0)
    await new Promise((r) => setTimeout(r, 1_000))
    const sentry = sentryFor('fail-1')
    expect(sentry).toHaveLength(1)
    const se = sentry[0]!.payload as Record<string, any>
    expect(se.tags).toMatchObject({ request_id: 'fail-1', endpoint: '/api/debug/throw', error_type: 'application_error', user_impact: 'high', posthog_distinct_id: 'u-7' })
    expect(se.fingerprint).toEqual(['TypeError', 'kaboom'])
    expect(se.environment).toBe('staging')
    expect(se.release).toBe('nextjs-observability-kit-demo@abc123')
    expect(se.user).toEqual({ id: 'u-7', email: 'u-7@example.com' })
    expect(se.exception.values[0]).toMatchObject({ type: 'TypeError', value: 'kaboom' })

    expect(fake.events().filter((e) => e.event === '$exception' && byRequest('fail-1')(e))).toHaveLength(1)
    expect(exception!.properties).toMatchObject({ request_id: 'fail-1', endpoint: '/api/debug/throw', method: 'GET', error_type: 'application_error', user_id: 'u-7', user_email: 'u-7@example.com', $sentry_event_id: se.event_id })
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
    const [request] = await waitForEvents(fake, (e) => e.event === 'api_request' && byRequest('fail-1')(e))
    expect(request!.properties).toMatchObject({ status_code: 500, success: false })
  })

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

  it('keeps expected client errors out of Sentry but still counts them', async () => {
    const res = await fetch(`${app.url}/api/debug/throw?kind=ValidationError&status=422`, { headers: { 'x-request-id': 'client-422' } })
    expect(res.status).toBe(422)
    await waitForEvents(fake, (e) => e.event === 'api_request' && byRequest('client-422')(e))
    await waitForEvents(fake, (e) => e.event === 'api_error' && byRequest('client-422')(e))
    // A real failure sent after it arrives, so the 422 had every chance to reach Sentry too.
    await fetch(`${app.url}/api/debug/throw?kind=Error`, { headers: { 'x-request-id': 'marker-500' } })
    await fake.waitFor(() => sentryFor('marker-500').length > 0)
    expect(sentryFor('client-422')).toEqual([])
    expect(fake.events().filter((e) => e.event === '$exception' && byRequest('client-422')(e))).toEqual([])
  })

  it('treats redirect() and notFound() as control flow, not errors', async () => {
    const redirect = await fetch(`${app.url}/api/debug/throw?kind=redirect`, { redirect: 'manual', headers: { 'x-request-id': 'cf-redirect' } })
    expect([307, 308]).toContain(redirect.status)
    const missing = await fetch(`${app.url}/api/debug/throw?kind=notFound`, { headers: { 'x-request-id': 'cf-404' } })
    expect(missing.status).toBe(404)
    const [r] = await waitForEvents(fake, (e) => e.event === 'api_request' && byRequest('cf-redirect')(e))
    const [n] = await waitForEvents(fake, (e) => e.event === 'api_request' && byRequest('cf-404')(e))
    expect(r!.properties.status_code).toBe(307)
    expect(n!.properties.status_code).toBe(404)
    await fetch(`${app.url}/api/debug/throw?kind=Error`, { headers: { 'x-request-id': 'marker-cf' } })
    await fake.waitFor(() => sentryFor('marker-cf').length > 0)
    expect([...sentryFor('cf-redirect'), ...sentryFor('cf-404')]).toEqual([])
    expect(fake.events().filter((e) => e.event === 'api_error' && (byRequest('cf-redirect')(e) || byRequest('cf-404')(e)))).toEqual([])
  })

  it('reports a server component render error once per backend through onRequestError', async () => {
    const res = await fetch(`${app.url}/debug/server-error`, { headers: { 'x-request-id': 'rsc-1' } })
    expect(res.status).toBe(500)
    await fake.waitFor(() => sentryFor('rsc-1').length > 0)
    await waitForEvents(fake, (e) => e.event === '$exception' && byRequest('rsc-1')(e))
    await new Promise((r) => setTimeout(r, 1_500))
    expect(sentryFor('rsc-1')).toHaveLength(1)
    expect(fake.events().filter((e) => e.event === '$exception' && byRequest('rsc-1')(e))).toHaveLength(1)
    expect((sentryFor('rsc-1')[0]!.payload as Record<string, any>).tags).toMatchObject({ endpoint: '/debug/server-error', route_type: 'render' })
  })

  it('reports a middleware error on the Edge runtime once per backend, with the request id and no secrets', async () => {
    const res = await fetch(`${app.url}/debug/middleware-throw?token=EDGESECRET123`, { headers: { 'x-request-id': 'mw-1', authorization: 'Bearer EDGEAUTHSECRET' } })
    expect(res.status).toBe(500)
    await fake.waitFor(() => sentryFor('mw-1').length > 0)
    await waitForEvents(fake, (e) => e.event === '$exception' && byRequest('mw-1')(e))
    await new Promise((r) => setTimeout(r, 1_500))
    expect(sentryFor('mw-1')).toHaveLength(1)
    const se = sentryFor('mw-1')[0]!.payload as Record<string, any>
    expect(se.exception.values.at(-1)).toMatchObject({ type: 'Error', value: 'Debug middleware error' })
    expect(se.tags).toMatchObject({ route_type: 'proxy', request_id: 'mw-1' })
    const ph = fake.events().filter((e) => e.event === '$exception' && byRequest('mw-1')(e))
    expect(ph).toHaveLength(1)
    expect(ph[0]!.properties).toMatchObject({ $sentry_event_id: se.event_id, route_type: 'proxy' })
    const text = JSON.stringify([se, ph])
    expect(text).not.toContain('EDGESECRET123')
    expect(text).not.toContain('EDGEAUTHSECRET')
  })
})

describe('per-request isolation', () => {
  it('never mixes the users of two concurrent requests', async () => {
    const calls = Array.from({ length: 6 }, (_, i) =>
      fetch(`${app.url}/api/debug/slow?ms=${200 - i * 20}`, { headers: { cookie: user(`user-${i}`), 'x-request-id': `iso-${i}` } }).then((r) => r.json() as Promise<{ user: string; request_id: string }>),
    )
    const bodies = await Promise.all(calls)
    bodies.forEach((b, i) => expect(b).toMatchObject({ user: `user-${i}`, request_id: `iso-${i}` }))
    for (let i = 0; i < 6; i++) {
      const [e] = await waitForEvents(fake, (ev) => ev.event === 'api_request' && byRequest(`iso-${i}`)(ev))
      expect(e).toMatchObject({ distinct_id: `user-${i}`, properties: { user_id: `user-${i}`, user_email: `user-${i}@example.com` } })
    }
  })
})
