import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { getPostHog } from '@/lib/observability/server/posthog-client'
import { stopPostHogWorkerForTests } from '@/lib/observability/server/posthog-worker-link'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { configureKit, restoreKit } from '../support/llm-tracing'

/**
 * Once the posthog-node link is closed (shut down, or discarded), every call answers as PostHog
 * being off would, at once: a call that was still waiting for the worker is answered too, never
 * left pending, and nothing captured afterwards is sent.
 */

let fake: FakeIngest

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

/** Settles `promise`, or says it was still pending after `ms`. */
const within = <T>(promise: Promise<T>, ms = 2_000) =>
  Promise.race([promise.then((value) => ({ value })), new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))])

beforeAll(async () => {
  fake = await startFakeIngest({ flags: { 'demo-flag': true } })
})
afterAll(async () => {
  await restoreKit()
  await fake.close()
})
beforeEach(async () => {
  await configureKit({ POSTHOG_API_KEY: 'phc_linkcloses123456', POSTHOG_HOST: fake.posthogHost })
})

describe('PostHog calls answer when the link closes', () => {
  it('answers a call still waiting for the worker when the link is discarded', async () => {
    const client = getPostHog()!
    // Asked before the worker has said it is ready: the call waits in the link.
    const waiting = client.getFeatureFlag('demo-flag', 'visitor-1')
    await stopPostHogWorkerForTests(client, 'discard')
    expect(await within(waiting)).toEqual({ value: undefined })
  })

  it('answers at once after shutdown, and sends nothing captured after it', async () => {
    const client = getPostHog()!
    expect(await client.getFeatureFlag('demo-flag', 'visitor-1')).toBe(true)
    ping('before-shutdown')
    await client.shutdown(2_000)
    expect(fake.events().map((e) => e.properties?.request_id)).toContain('before-shutdown')

    expect(await within(client.getFeatureFlag('demo-flag', 'visitor-1'))).toEqual({ value: undefined })
    expect(await within(client.getAllFlags('visitor-1'))).toEqual({ value: undefined })
    ping('after-shutdown')
    await expect(within(client.flush())).resolves.toEqual({ value: undefined })
    expect(fake.events().map((e) => e.properties?.request_id)).not.toContain('after-shutdown')
  })
})
