import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { captureException, isFeatureEnabled } from 'nextjs-observability-kit/server'
import { flushSoon, getPostHog } from '@/lib/observability/server/posthog-client'
import { stopPostHogWorkerForTests } from '@/lib/observability/server/posthog-worker-link'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { configureKit, restoreKit } from '../support/llm-tracing'

/**
 * The last fallback of the posthog-node worker link: the worker died and posthog-node cannot be
 * loaded in this thread either (a broken install, a bundle without it). Nothing is left to send
 * with, so what waits is dropped, and every call answers as PostHog being off would: at once,
 * with the caller's default, never a rejection or a hang.
 *
 * posthog-node failing to import cannot be produced with the real package installed, so this one
 * file makes that import throw; the worker it starts beforehand is the real one.
 */
vi.mock('posthog-node', () => {
  throw new Error('Cannot find module posthog-node (test)')
})

let fake: FakeIngest

beforeAll(async () => {
  fake = await startFakeIngest({ flags: { 'demo-flag': true } })
  await configureKit({ POSTHOG_API_KEY: 'phc_nothingleft12345', POSTHOG_HOST: fake.posthogHost })
})
afterAll(async () => {
  await restoreKit()
  await fake.close()
})

/** An event captured on the posthog-node client itself (its link to the worker), not the kit's own queue. */
const ping = (id: string) =>
  getPostHog()!.capture({
    distinctId: 'visitor-1',
    event: 'api_request',
    properties: {
      endpoint: '/api/ping',
      method: 'GET',
      status_code: 200,
      response_time_ms: 1,
      request_id: id,
      success: true,
      user_id: 'anonymous',
      environment: 'test',
      release: 'r',
      $process_person_profile: false,
    },
  })

describe('PostHog calls still answer when nothing is left to send with', () => {
  it('answers flags with the default, flushes and captures without throwing, and warns once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    // The worker is real and works until it is stopped.
    ping('before')
    await flushSoon()
    await fake.waitFor((f) => f.events().find((e) => e.properties?.request_id === 'before'))
    expect(await isFeatureEnabled('demo-flag', 'visitor-1', { default: false })).toBe(true)

    await stopPostHogWorkerForTests(getPostHog(), 'crash')
    // Asked while the in-thread client "loads": these wait in the link, then are answered.
    const waiting = isFeatureEnabled('demo-flag', 'visitor-1', { default: false })
    ping('while-loading')
    expect(await waiting).toBe(false)
    // Asked after the link gave up: answered at once.
    expect(await isFeatureEnabled('demo-flag', 'visitor-1', { default: false })).toBe(false)
    expect(await isFeatureEnabled('demo-flag', 'visitor-1', { default: true })).toBe(true)
    ping('after')
    await expect(captureException(new Error('reported while PostHog cannot send'))).resolves.toEqual({})
    await expect(flushSoon()).resolves.toBeUndefined()
    await expect(getPostHog()!.flush()).resolves.toBeUndefined()

    // Nothing captured after the worker died reached the ingestion host. Nothing is left that
    // could send it later: the worker is gone (its end awaited above) and the flush just answered
    // would have delivered anything an in-thread client held.
    expect(fake.events().map((e) => e.properties?.request_id)).not.toContain('while-loading')
    expect(fake.events().map((e) => e.properties?.request_id)).not.toContain('after')
    expect(fake.events().filter((e) => e.event === '$exception')).toEqual([])
    // One warning for the worker, one for posthog-node failing to load; none per call.
    const kit = warn.mock.calls.map(([m]) => String(m))
    expect(kit.filter((m) => m.startsWith('[observability] posthog-node worker failed'))).toHaveLength(1)
    expect(kit.filter((m) => m.startsWith('[observability] posthog-node failed'))).toHaveLength(1)
    warn.mockRestore()
  })
})
