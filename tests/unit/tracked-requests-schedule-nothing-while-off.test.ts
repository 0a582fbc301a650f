import { afterAll, describe, expect, it, vi } from 'vitest'
import { withTracking } from 'nextjs-observability-kit/server'
import { resetObservability } from 'nextjs-observability-kit/testing'

/**
 * With both backends off (no keys: the default), a tracked request records nothing, so it asks
 * for no after-response work at all: inside `next start` scheduling `after()` alone costs a
 * request ~10 µs (docs/benchmarks.md). Outside Next, the kit's after-response path falls back to
 * `setImmediate`, which makes the scheduling countable here. The request id header still comes back.
 */

const saved = { ...process.env }

function configure(env: Record<string, string>) {
  for (const k of Object.keys(process.env)) if (/^(POSTHOG|SENTRY)_/.test(k)) delete process.env[k]
  Object.assign(process.env, env)
  resetObservability()
}

afterAll(() => {
  process.env = { ...saved }
  resetObservability()
})

const getUser = vi.fn(() => ({ id: 'user-1' }))
const ping = withTracking(async (_request: Request, _context: unknown) => Response.json({ ok: true }), { endpoint: '/api/off', getUser })

async function scheduledDuring(run: () => Promise<Response>): Promise<{ response: Response; scheduled: number }> {
  const spy = vi.spyOn(globalThis, 'setImmediate')
  try {
    const response = await run()
    return { response, scheduled: spy.mock.calls.length }
  } finally {
    spy.mockRestore()
  }
}

describe('tracked requests schedule nothing while the kit is off', () => {
  it('no keys: no after-response work, no getUser call, the request id answered', async () => {
    configure({})
    const { response, scheduled } = await scheduledDuring(() => ping(new Request('http://127.0.0.1/api/off', { headers: { 'x-request-id': 'off-1' } }), {}))
    expect(response.headers.get('x-request-id')).toBe('off-1')
    expect(scheduled).toBe(0)
    await new Promise((r) => setTimeout(r, 20))
    expect(getUser).not.toHaveBeenCalled()
  })

  it('a backend on: the request is recorded after the response (the same path counts one)', async () => {
    // PostHog on, pointed at a closed local port: nothing is delivered, but the request is recorded.
    configure({ POSTHOG_API_KEY: 'phc_offtest1234567890', POSTHOG_HOST: 'http://127.0.0.1:9' })
    const { scheduled } = await scheduledDuring(() => ping(new Request('http://127.0.0.1/api/off'), {}))
    expect(scheduled).toBeGreaterThanOrEqual(1)
    await vi.waitFor(() => expect(getUser).toHaveBeenCalledTimes(1))
  })
})
