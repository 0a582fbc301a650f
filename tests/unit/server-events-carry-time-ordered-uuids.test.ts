import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capture } from '@/lib/observability/server/capture'
import { flushSoon } from '@/lib/observability/server/posthog-client'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { configureKit, restoreKit } from '../support/llm-tracing'

/**
 * Every server event the kit captures reaches PostHog with a UUIDv7 of its own: the first 48 bits
 * are the milliseconds it was captured at, and ids minted one after another sort in that order.
 */

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
// More than one pool of random bytes (256 ids): ids stay unique and ordered across refills.
const N = 600

let fake: FakeIngest

beforeAll(async () => {
  fake = await startFakeIngest()
  await configureKit({ POSTHOG_API_KEY: 'phc_eventuuids12345', POSTHOG_HOST: fake.posthogHost })
})
afterAll(async () => {
  await restoreKit()
  await fake.close()
})

describe('server events carry a time-ordered UUIDv7', () => {
  it('is a version 7, RFC 4122 variant UUID whose first 48 bits are the capture time, unique and in capture order', async () => {
    const before = Date.now()
    for (let i = 0; i < N; i++) {
      capture(
        'visitor-1',
        {
          event: 'api_request',
          properties: {
            endpoint: '/api/ping',
            method: 'GET',
            status_code: 200,
            response_time_ms: 1,
            request_id: `uuid-${i}`,
            success: true,
            user_id: 'anonymous',
            environment: 'test',
            release: 'r',
          } as never,
        },
        { anonymous: true },
      )
    }
    const after = Date.now()
    await flushSoon()
    const events = await fake.waitFor((f) => {
      const found = f.events().filter((e) => String(e.properties?.request_id).startsWith('uuid-'))
      return found.length >= N ? found : undefined
    })
    const ids = events
      .sort((a, b) => Number(String(a.properties?.request_id).slice(5)) - Number(String(b.properties?.request_id).slice(5)))
      .map((e) => e.uuid ?? '')
    for (const id of ids) {
      expect(id).toMatch(UUID_V7)
      const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16)
      expect(ms).toBeGreaterThanOrEqual(before)
      expect(ms).toBeLessThanOrEqual(after)
    }
    expect(new Set(ids).size).toBe(N)
    expect([...ids].sort()).toEqual(ids)
  })
})
