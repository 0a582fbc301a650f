import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { getAllFlags, isFeatureEnabled } from 'nextjs-observability-kit/server'
import { resetObservability } from 'nextjs-observability-kit/testing'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'

let fake: FakeIngest
const saved = { ...process.env }

function configure(env: Record<string, string | undefined>) {
  for (const k of Object.keys(process.env)) if (/^(POSTHOG|SENTRY)_/.test(k)) delete process.env[k]
  Object.assign(process.env, env)
  resetObservability()
}

beforeAll(async () => {
  fake = await startFakeIngest({ flags: { 'demo-flag': true, 'checkout-variant': 'b' } })
})
afterAll(async () => {
  process.env = { ...saved }
  resetObservability()
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
