import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { resetConfigForTests } from '@/lib/observability/shared/get-config'
import { captureException, getAllFlags, isFeatureEnabled, withServerActionTracking } from '@/lib/observability/server'
import { flushSoon, resetPostHogForTests } from '@/lib/observability/server/posthog-client'
import { registerNode } from '@/lib/observability/server/register'
import { sentryForRequest, waitForEvents } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'

let fake: FakeIngest
const saved = { ...process.env }

function configure(env: Record<string, string | undefined>) {
  for (const k of Object.keys(process.env)) if (/^(POSTHOG|SENTRY)_/.test(k)) delete process.env[k]
  Object.assign(process.env, env)
  resetConfigForTests()
  resetPostHogForTests()
}

beforeAll(async () => {
  fake = await startFakeIngest({ flags: { 'demo-flag': true, 'checkout-variant': 'b' } })
})
afterAll(async () => {
  process.env = { ...saved }
  resetConfigForTests()
  resetPostHogForTests()
  await fake.close()
})
beforeEach(() => fake.clear())
afterEach(() => fake.setMode('ok'))

describe('server-side flags always answer', () => {
  it('returns the default when PostHog is off, without any network', async () => {
    configure({})
    expect(await isFeatureEnabled('demo-flag', 'u1', { default: true })).toBe(true)
    expect(await isFeatureEnabled('demo-flag', 'u1', { default: false })).toBe(false)
    expect(await getAllFlags('u1')).toEqual({})
    expect(fake.requests()).toEqual([])
  })

  it('returns PostHog’s value when it answers', async () => {
    configure({ POSTHOG_API_KEY: 'phc_flagskey12345678', POSTHOG_HOST: fake.posthogHost })
    expect(await isFeatureEnabled('demo-flag', 'u1', { default: false })).toBe(true)
    expect(await isFeatureEnabled('unknown-flag', 'u1', { default: true })).toBe(true)
    expect(await getAllFlags('u1')).toMatchObject({ 'demo-flag': true, 'checkout-variant': 'b' })
    expect(fake.flagRequests().length).toBeGreaterThan(0)
  })

  it('returns the default when PostHog hangs, within the timeout', async () => {
    configure({ POSTHOG_API_KEY: 'phc_flagskey12345678', POSTHOG_HOST: fake.posthogHost })
    fake.setMode('hang')
    const started = Date.now()
    expect(await isFeatureEnabled('demo-flag', 'u1', { default: false, timeoutMs: 300 })).toBe(false)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('returns the default when PostHog fails', async () => {
    configure({ POSTHOG_API_KEY: 'phc_flagskey12345678', POSTHOG_HOST: fake.posthogHost })
    fake.setMode('fail500')
    expect(await isFeatureEnabled('demo-flag', 'u1', { default: false })).toBe(false)
    expect(await getAllFlags('u1', { timeoutMs: 500 })).toEqual({})
  })
})

describe('manual captureException reaches both backends once, linked', () => {
  it('sends one Sentry event and one $exception with the default distinct id "system"', async () => {
    configure({ POSTHOG_API_KEY: 'phc_manualkey1234567', POSTHOG_HOST: fake.posthogHost, SENTRY_DSN: fake.sentryDsn })
    await registerNode()
    // Built at runtime: source context lines of this file are (rightly) part of stack frames.
    const secret = ['tok', 'secret', String(6 * 7)].join('_')
    const circular: Record<string, unknown> = { job: 'sync-invoices', authToken: secret }
    circular.self = circular
    const { sentryEventId } = await captureException(new Error('sync failed'), { properties: circular, tags: { job: 'sync' }, level: 'warning' })
    expect(sentryEventId).toMatch(/^[0-9a-f]{32}$/)
    const [exception] = await waitForEvents(fake, (e) => e.event === '$exception')
    expect(exception).toMatchObject({ distinct_id: 'system', properties: { job: 'sync-invoices', authToken: '[Filtered]', $exception_level: 'warning', $sentry_event_id: sentryEventId } })
    await fake.waitFor((f) => f.sentryEvents().length > 0)
    const se = fake.sentryEvents()[0]!.payload as Record<string, any>
    expect(se).toMatchObject({ event_id: sentryEventId, level: 'warning', tags: { job: 'sync', error_type: 'application_error' } })
    expect(JSON.stringify(se)).not.toContain(secret)
    expect(fake.events().filter((e) => e.event === '$exception')).toHaveLength(1)
  })
})

describe('server actions are tracked like route handlers', () => {
  it('records api_request, and on failure api_error + $exception, then rethrows', async () => {
    configure({ POSTHOG_API_KEY: 'phc_actionkey1234567', POSTHOG_HOST: fake.posthogHost, SENTRY_DSN: fake.sentryDsn })
    await registerNode()
    const argument = ['form', 'field', 'value', String(Date.now())].join('-')
    const ok = withServerActionTracking('saveNote', async (text: string) => `saved:${text.toUpperCase()}`)
    expect(await ok(argument)).toBe(`saved:${argument.toUpperCase()}`)
    const failing = withServerActionTracking('deleteNote', async (_id: string): Promise<void> => {
      throw new Error('note is locked')
    })
    await expect(failing('n1')).rejects.toThrow('note is locked')
    const [saved] = await waitForEvents(fake, (e) => e.event === 'api_request' && e.properties.endpoint === 'action:saveNote')
    expect(saved!.properties).toMatchObject({ method: 'POST', status_code: 200, success: true })
    const [apiError] = await waitForEvents(fake, (e) => e.event === 'api_error' && e.properties.endpoint === 'action:deleteNote')
    expect(apiError!.properties).toMatchObject({ error_message: 'note is locked', status_code: 500 })
    const requestId = String(apiError!.properties.request_id)
    await fake.waitFor(() => sentryForRequest(fake, requestId).length > 0)
    // Neither the arguments nor the result of an action are recorded.
    const text = JSON.stringify([fake.events(), fake.sentry()])
    expect(text).not.toContain(argument)
    expect(text).not.toContain(argument.toUpperCase())
    await flushSoon()
  })
})
