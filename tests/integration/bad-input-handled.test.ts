import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { waitForEvents } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { startNext, type NextServer } from '../support/next-server'

let fake: FakeIngest
let app: NextServer

beforeAll(async () => {
  fake = await startFakeIngest()
  app = await startNext({ POSTHOG_API_KEY: 'phc_badinputkey12345', POSTHOG_HOST: fake.posthogHost, SENTRY_DSN: fake.sentryDsn, DEBUG: '1' })
})
afterAll(async () => {
  await app?.stop()
  await fake?.close()
})
beforeEach(() => fake.clear())

describe('malformed X-Request-ID is replaced, never echoed', () => {
  it.each([
    ['spaces', 'has some spaces'],
    ['300 chars', 'a'.repeat(300)],
    ['markup', '<img src=x onerror=alert(1)>'],
    ['empty', ''],
  ])('%s', async (_label, bad) => {
    const res = await fetch(`${app.url}/api/ping`, { headers: { 'x-request-id': bad } })
    expect(res.status).toBe(200)
    const id = res.headers.get('x-request-id')!
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    const [e] = await waitForEvents(fake, (ev) => ev.event === 'api_request' && ev.properties.request_id === id)
    expect(e).toBeTruthy()
  })
})

describe('odd throws are reported, bounded and never crash the route', () => {
  it.each([
    ['string', 'string'],
    ['null', 'null'],
    ['object', 'object'],
    ['circular', 'object'],
  ])('throw of a %s', async (kind, type) => {
    const res = await fetch(`${app.url}/api/debug/throw?kind=${kind}&msg=odd-${kind}`, { headers: { 'x-request-id': `odd-${kind}` } })
    expect(res.status).toBe(500)
    expect(await res.json()).toMatchObject({ request_id: `odd-${kind}` })
    const [apiError] = await waitForEvents(fake, (e) => e.event === 'api_error' && e.properties.request_id === `odd-${kind}`)
    expect(apiError!.properties.exception_type).toBe(type)
    await fake.waitFor(() => fake.sentryEvents().some((i) => (i.payload as { tags?: Record<string, string> }).tags?.request_id === `odd-${kind}`))
    await waitForEvents(fake, (e) => e.event === '$exception' && e.properties.request_id === `odd-${kind}`)
  })

  it('bounds a 1 MB error message in every payload', async () => {
    const res = await fetch(`${app.url}/api/debug/throw?kind=Error&msg=0123456789&repeat=100000`, { headers: { 'x-request-id': 'huge-1' } })
    expect(res.status).toBe(500)
    const [apiError] = await waitForEvents(fake, (e) => e.event === 'api_error' && e.properties.request_id === 'huge-1')
    expect(String(apiError!.properties.error_message).length).toBeLessThan(2_100)
    expect(String(apiError!.properties.traceback).length).toBeLessThanOrEqual(5_100)
    const [exception] = await waitForEvents(fake, (e) => e.event === '$exception' && e.properties.request_id === 'huge-1')
    expect(JSON.stringify(exception).length).toBeLessThan(200_000)
    await fake.waitFor(() => fake.sentryEvents().some((i) => (i.payload as { tags?: Record<string, string> }).tags?.request_id === 'huge-1'))
    const se = fake.sentryEvents().find((i) => (i.payload as { tags?: Record<string, string> }).tags?.request_id === 'huge-1')!
    expect(JSON.stringify(se.payload).length).toBeLessThan(200_000)
  })
})
