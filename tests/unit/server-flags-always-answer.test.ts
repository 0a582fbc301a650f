import { afterEach, describe, expect, it } from 'vitest'
import { getAllFlags, isFeatureEnabled } from 'nextjs-observability-kit/server'
import { fakeIngestForFile, setKitEnv } from '../support/kit-env'

const fake = fakeIngestForFile({ flags: { 'demo-flag': true, 'checkout-variant': 'b' } })
afterEach(() => fake.setMode('ok'))

describe('server-side flags always answer', () => {
  it('returns the default when PostHog is off, without any network', async () => {
    setKitEnv({})
    expect(await isFeatureEnabled('demo-flag', 'u1', { default: true })).toBe(true)
    expect(await isFeatureEnabled('demo-flag', 'u1', { default: false })).toBe(false)
    expect(await getAllFlags('u1')).toEqual({})
    expect(fake.requests()).toEqual([])
  })

  it('returns PostHog’s value when it answers', async () => {
    setKitEnv({ POSTHOG_API_KEY: 'phc_flagskey12345678', POSTHOG_HOST: fake.posthogHost })
    expect(await isFeatureEnabled('demo-flag', 'u1', { default: false })).toBe(true)
    expect(await isFeatureEnabled('unknown-flag', 'u1', { default: true })).toBe(true)
    expect(await getAllFlags('u1')).toMatchObject({ 'demo-flag': true, 'checkout-variant': 'b' })
    expect(fake.flagRequests().length).toBeGreaterThan(0)
  })

  it('returns the default when PostHog hangs, within the timeout', async () => {
    setKitEnv({ POSTHOG_API_KEY: 'phc_flagskey12345678', POSTHOG_HOST: fake.posthogHost })
    fake.setMode('hang')
    const started = Date.now()
    expect(await isFeatureEnabled('demo-flag', 'u1', { default: false, timeoutMs: 300 })).toBe(false)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('returns the default when PostHog fails', async () => {
    setKitEnv({ POSTHOG_API_KEY: 'phc_flagskey12345678', POSTHOG_HOST: fake.posthogHost })
    fake.setMode('fail500')
    expect(await isFeatureEnabled('demo-flag', 'u1', { default: false })).toBe(false)
    expect(await getAllFlags('u1', { timeoutMs: 500 })).toEqual({})
  })
})
