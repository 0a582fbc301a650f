import { PostHog } from 'posthog-node'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { isFeatureEnabled } from 'nextjs-observability-kit/server'
import { capture } from '@/lib/observability/server/capture'
import { flushSoon, getPostHog } from '@/lib/observability/server/posthog-client'
import { stopPostHogWorkerForTests } from '@/lib/observability/server/posthog-worker-link'
import type { PostHogEvent } from '@/lib/observability/server/local/ingest/types'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { configureKit, restoreKit } from '../support/llm-tracing'

/**
 * posthog-node never runs on the thread that serves requests: the kit's catalogue events go out
 * through its own queue (server/event-batch.ts, no posthog-node at all), and posthog-node, for
 * flags and exceptions, runs in a worker thread; the process still has one client. If the worker
 * dies, nothing sent to the client later is lost: the kit carries on with a client in its own thread.
 */

let fake: FakeIngest

const ping = (id: string, extra: Record<string, unknown> = {}) =>
  capture(
    'visitor-1',
    {
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
        ...extra,
      } as never,
    },
    { anonymous: true },
  )

/** The events matching `match`, once there are at least `n`. */
const atLeast = (match: (e: PostHogEvent) => boolean, n = 1) =>
  fake.waitFor((f) => {
    const found = f.events().filter(match)
    return found.length >= n ? found : undefined
  })

beforeAll(async () => {
  fake = await startFakeIngest({ flags: { 'demo-flag': true } })
})
afterAll(async () => {
  await restoreKit()
  await fake.close()
})
beforeEach(async () => {
  fake.clear()
  await configureKit({ POSTHOG_API_KEY: 'phc_offthread1234567', POSTHOG_HOST: fake.posthogHost })
})

describe('posthog-node runs off the request thread', () => {
  it('delivers events and answers flags without running posthog-node in this thread', async () => {
    const inThisThread = vi.spyOn(PostHog.prototype, 'capture')
    const flagsHere = vi.spyOn(PostHog.prototype, 'getFeatureFlag')
    for (let i = 0; i < 5; i++) ping(`off-${i}`)
    await flushSoon()
    const events = await atLeast((e) => e.event === 'api_request' && String(e.properties?.request_id).startsWith('off-'), 5)
    expect(events.map((e) => e.properties?.request_id).sort()).toEqual(['off-0', 'off-1', 'off-2', 'off-3', 'off-4'])
    expect(events[0]).toMatchObject({ distinct_id: 'visitor-1', properties: { $process_person_profile: false, $lib: 'nextjs-observability-kit' } })
    expect(await isFeatureEnabled('demo-flag', 'visitor-1', { default: false })).toBe(true)
    expect(inThisThread).not.toHaveBeenCalled()
    expect(flagsHere).not.toHaveBeenCalled()
    inThisThread.mockRestore()
    flagsHere.mockRestore()
  })

  it('carries on in this thread when the worker dies, losing nothing sent afterwards', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    ping('before-crash')
    await flushSoon()
    await atLeast((e) => e.properties?.request_id === 'before-crash')
    await stopPostHogWorkerForTests(getPostHog(), 'crash')
    const inThisThread = vi.spyOn(PostHog.prototype, 'capture')
    // Events captured on the client itself (the kit's own go through its queue, untouched by this).
    for (let i = 0; i < 3; i++) getPostHog()!.capture({ distinctId: 'visitor-1', event: 'api_request', properties: { request_id: `after-crash-${i}` } })
    await flushSoon()
    await atLeast((e) => String(e.properties?.request_id).startsWith('after-crash-'), 3)
    expect(inThisThread).toHaveBeenCalledTimes(3)
    expect(warn.mock.calls.filter(([m]) => String(m).includes('posthog-node worker'))).toHaveLength(1)
    expect(await isFeatureEnabled('demo-flag', 'visitor-1', { default: false })).toBe(true)
    inThisThread.mockRestore()
    warn.mockRestore()
  })

  it('does not lose the other events of a batch when one cannot be handed over', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    ping('batch-a')
    ping('batch-bad', { callback: () => 'a function cannot cross to a thread' })
    ping('batch-b')
    await flushSoon()
    const events = await atLeast((e) => e.properties?.request_id === 'batch-a' || e.properties?.request_id === 'batch-b', 2)
    expect(events).toHaveLength(2)
    warn.mockRestore()
  })
})
