import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { startNext } from '../support/next-server'

describe('a deploy (SIGTERM) loses no queued events and never hangs', () => {
  let fake: FakeIngest
  beforeAll(async () => {
    fake = await startFakeIngest()
  })
  afterAll(async () => {
    await fake?.close()
  })

  it('delivers every api_request of requests answered just before SIGTERM', async () => {
    const app = await startNext({ POSTHOG_API_KEY: 'phc_shutdownkey12345', POSTHOG_HOST: fake.posthogHost })
    const ids = Array.from({ length: 30 }, (_, i) => `term-${i}`)
    await Promise.all(ids.map((id) => fetch(`${app.url}/api/ping`, { headers: { 'x-request-id': id } }).then((r) => r.arrayBuffer())))
    const started = Date.now()
    await app.stop()
    expect(Date.now() - started).toBeLessThan(5_000)
    const seen = new Set(
      fake
        .events()
        .filter((e) => e.event === 'api_request')
        .map((e) => e.properties.request_id),
    )
    expect(ids.filter((id) => !seen.has(id))).toEqual([])
  })

  it('delivers the Sentry spans of requests answered just before SIGTERM, with PostHog’s events', async () => {
    fake.clear()
    const app = await startNext({
      POSTHOG_API_KEY: 'phc_shutdownkey12345',
      POSTHOG_HOST: fake.posthogHost,
      SENTRY_DSN: fake.sentryDsn,
      SENTRY_TRACES_SAMPLE_RATE: '1',
    })
    const ids = Array.from({ length: 20 }, (_, i) => `term-span-${i}`)
    await Promise.all(ids.map((id) => fetch(`${app.url}/api/ping`, { headers: { 'x-request-id': id } }).then((r) => r.arrayBuffer())))
    const started = Date.now()
    await app.stop()
    expect(Date.now() - started).toBeLessThan(5_000)
    const traced = new Set(
      fake
        .sentryItems('span')
        .flatMap((i) => (i.payload as { items?: { attributes?: Record<string, { value?: unknown }> }[] }).items ?? [])
        .map((span) => span.attributes?.request_id?.value),
    )
    expect(ids.filter((id) => !traced.has(id))).toEqual([])
    const seen = new Set(
      fake
        .events()
        .filter((e) => e.event === 'api_request')
        .map((e) => e.properties.request_id),
    )
    expect(ids.filter((id) => !seen.has(id))).toEqual([])
  })

  it('exits promptly on SIGTERM even when the ingestion host hangs', async () => {
    fake.setMode('hang')
    const app = await startNext({
      POSTHOG_API_KEY: 'phc_shutdownkey12345',
      POSTHOG_HOST: fake.posthogHost,
      SENTRY_DSN: fake.sentryDsn,
      SENTRY_TRACES_SAMPLE_RATE: '1',
    })
    try {
      await Promise.all(Array.from({ length: 10 }, () => fetch(`${app.url}/api/ping`, { headers: { connection: 'close' } }).then((r) => r.arrayBuffer())))
      // after() waits at most DELIVERY_BUDGET_MS (2 s) for telemetry; the SDK timeout is 5 s.
      const started = Date.now()
      await app.stop()
      expect(Date.now() - started).toBeLessThan(4_000)
    } finally {
      fake.setMode('ok')
    }
  })
})
