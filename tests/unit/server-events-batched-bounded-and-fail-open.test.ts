import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { EventBatch, type QueuedEvent } from '@/lib/observability/server/event-batch'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'

/**
 * The kit's own queue of server events (server/event-batch.ts): what is pushed reaches PostHog's
 * `/batch/` endpoint, gzipped, as PostHog decodes it, in requests of at most 100 events; the
 * queue is bounded (the oldest go first); a host that fails or hangs costs a warning, never an
 * exception or a hung flush.
 */

let fake: FakeIngest

beforeAll(async () => {
  fake = await startFakeIngest()
})
afterAll(async () => {
  await fake.close()
})
beforeEach(() => {
  fake.clear()
  fake.setMode('ok')
})

const event = (id: string, overrides: Partial<QueuedEvent> = {}): QueuedEvent => ({
  event: 'api_request',
  distinct_id: 'visitor-1',
  at: Date.now(),
  scrubbed: false,
  properties: { request_id: id, endpoint: '/api/ping' },
  ...overrides,
})

const batchFor = (overrides: Partial<ConstructorParameters<typeof EventBatch>[0]> = {}) =>
  new EventBatch({
    apiKey: 'phc_batchtest123456',
    host: fake.posthogHost,
    flushAt: 50,
    flushIntervalMs: 60_000,
    maxQueueSize: 5_000,
    requestTimeoutMs: 1_000,
    lib: 'nextjs-observability-kit',
    ...overrides,
  })

describe('server events are batched by the kit, bounded, and fail open', () => {
  it('delivers every event, at most 100 per request, as PostHog decodes them', async () => {
    const batch = batchFor({ flushAt: 1_000 })
    for (let i = 0; i < 130; i++) batch.push(event(`e-${i}`))
    await batch.flush()
    const received = fake.events().filter((e) => e.event === 'api_request')
    expect(received.map((e) => e.properties.request_id).sort()).toEqual(Array.from({ length: 130 }, (_, i) => `e-${i}`).sort())
    expect(received[0]).toMatchObject({ distinct_id: 'visitor-1', properties: { $lib: 'nextjs-observability-kit', endpoint: '/api/ping' } })
    expect(fake.requests().filter((r) => r.kind === 'posthog-events')).toHaveLength(2)
  })

  it('applies the privacy policy, ids and capture times to queued events as they are serialised', async () => {
    const batch = batchFor({ flushAt: 1_000 })
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 67)
    batch.push(event('deferred', { at, properties: { request_id: 'deferred', endpoint: '/cb?code=planted-secret-1', api_key: 'planted-secret-2' } }))
    // Already scrubbed by capture() (nested values are scrubbed when captured): sent as it is.
    batch.push(event('done', { at: at + 1, scrubbed: true, properties: { request_id: 'done', note: 'kept as given' } }))
    await batch.flush()
    const [deferred, done] = ['deferred', 'done'].map((id) => fake.events().find((e) => e.properties.request_id === id)!)
    expect(JSON.stringify(fake.events())).not.toContain('planted-secret')
    expect(deferred!.properties).toMatchObject({ endpoint: '/cb?code=[Filtered]', api_key: '[Filtered]', $lib: 'nextjs-observability-kit' })
    expect(deferred!.timestamp).toBe('2026-01-02T03:04:05.067Z')
    expect(done!.properties).toMatchObject({ note: 'kept as given', $lib: 'nextjs-observability-kit' })
    // UUID v7: the first 48 bits are the capture time in ms; ids sort in capture order.
    const [first, second] = [deferred!.uuid ?? '', done!.uuid ?? '']
    expect(parseInt(first.replace(/-/g, '').slice(0, 12), 16)).toBe(at)
    expect(first < second).toBe(true)
  })

  it('sends on its own once flushAt events wait', async () => {
    const batch = batchFor({ flushAt: 5 })
    for (let i = 0; i < 5; i++) batch.push(event(`auto-${i}`))
    await fake.waitFor((f) => f.events().filter((e) => String(e.properties.request_id).startsWith('auto-')).length === 5, {
      message: 'the full batch, sent without a flush',
    })
  })

  it('keeps only the newest maxQueueSize events, with one warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const batch = batchFor({ flushAt: 1_000, maxQueueSize: 3 })
    for (let i = 0; i < 6; i++) batch.push(event(`q-${i}`))
    expect(batch.size).toBe(3)
    await batch.flush()
    expect(
      fake
        .events()
        .map((e) => e.properties.request_id)
        .sort(),
    ).toEqual(['q-3', 'q-4', 'q-5'])
    expect(warn.mock.calls.filter(([m]) => String(m).includes('posthog queue full'))).toHaveLength(1)
    warn.mockRestore()
  })

  it('a failing or hanging host costs a warning: flush resolves, nothing throws', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    fake.setMode('fail500')
    const failing = batchFor()
    failing.push(event('lost-500'))
    await expect(failing.flush()).resolves.toBeUndefined()
    fake.setMode('hang')
    const hanging = batchFor({ requestTimeoutMs: 200 })
    hanging.push(event('lost-hang'))
    const started = performance.now()
    await expect(hanging.flush()).resolves.toBeUndefined()
    // One try and one retry, each bounded by the request timeout.
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(warn.mock.calls.some(([m]) => String(m).includes('posthog delivery'))).toBe(true)
    warn.mockRestore()
  })
})
