import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { withTracking } from 'nextjs-observability-kit/server'
import { hostMayFreeze } from '@/lib/observability/server/host-may-freeze'
import { resetObservability } from 'nextjs-observability-kit/testing'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'

/**
 * A long-lived server sends server events in posthog-node's batches (one delivery for many
 * responses); a host that may freeze the process once a response is out (serverless) gets each
 * response's events delivered right after it, so none is lost when the function freezes.
 */

const NEXT_REQUEST_CONTEXT = Symbol.for('@next/request-context')
const globals = globalThis as { [NEXT_REQUEST_CONTEXT]?: unknown }

let fake: FakeIngest
const saved = { ...process.env }

function configure(env: Record<string, string> = {}) {
  for (const k of Object.keys(process.env)) if (/^(POSTHOG|SENTRY)_/.test(k) || k === 'AWS_LAMBDA_FUNCTION_NAME' || k === 'VERCEL') delete process.env[k]
  Object.assign(process.env, { POSTHOG_API_KEY: 'phc_batchingkey123456', POSTHOG_HOST: fake.posthogHost }, env)
  resetObservability()
}

const ping = withTracking(async (_request: Request, _context: unknown) => Response.json({ ok: true }), { endpoint: '/api/batched' })
const call = (i: number) => ping(new Request('http://127.0.0.1/api/batched', { headers: { 'x-request-id': `batched-${i}` } }), { params: Promise.resolve({}) })
const deliveries = () => fake.requests().filter((r) => r.kind === 'posthog-events').length
const delivered = () => fake.events().filter((e) => e.event === 'api_request').length

beforeAll(async () => {
  fake = await startFakeIngest()
})
afterAll(async () => {
  process.env = { ...saved }
  delete globals[NEXT_REQUEST_CONTEXT]
  resetObservability()
  await fake.close()
})
beforeEach(() => fake.clear())
afterEach(() => {
  delete globals[NEXT_REQUEST_CONTEXT]
})

describe('server events are batched unless the host may freeze the process', () => {
  it('a long-lived server delivers many responses’ events in one batch', async () => {
    configure()
    expect(hostMayFreeze()).toBe(false)
    for (let i = 0; i < 5; i++) expect((await call(i)).status).toBe(200)
    await fake.waitFor(() => delivered() === 5, { message: 'five api_request events' })
    expect(deliveries()).toBe(1)
  })

  it('a platform that hands Next a waitUntil gets each response’s events delivered after it', async () => {
    configure()
    globals[NEXT_REQUEST_CONTEXT] = { get: () => ({ waitUntil: () => undefined }) }
    expect(hostMayFreeze()).toBe(true)
    for (let i = 0; i < 3; i++) {
      expect((await call(i)).status).toBe(200)
      // Delivered before the next request is made: posthog-node's own batch would wait 2 s or 50 events.
      await fake.waitFor(() => delivered() === i + 1, { timeoutMs: 1_500, message: `event ${i + 1} delivered on its own` })
    }
    expect(deliveries()).toBe(3)
  })

  it('a known functions platform (AWS Lambda) is treated the same', async () => {
    configure({ AWS_LAMBDA_FUNCTION_NAME: 'app' })
    expect(hostMayFreeze()).toBe(true)
    expect((await call(0)).status).toBe(200)
    await fake.waitFor(() => delivered() === 1, { timeoutMs: 1_500, message: 'delivered on its own' })
    expect(deliveries()).toBe(1)
  })
})
