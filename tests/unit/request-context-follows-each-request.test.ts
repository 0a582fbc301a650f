import { afterAll, describe, expect, it } from 'vitest'
import { getRequestId, withTracking } from 'nextjs-observability-kit/server'
import { registerNode } from '@/lib/observability/server/register'
import { resetObservability } from 'nextjs-observability-kit/testing'

/**
 * Inside a tracked request, `getRequestId()` (and everything built on the request context: LLM
 * traces, `captureException`, Sentry tags) answers for that request only, across awaits and
 * concurrent requests, with Sentry off (the kit's AsyncLocalStorage) and on (Sentry's isolation
 * scope, also through a nested `withIsolationScope` fork in app code).
 */

const saved = { ...process.env }
afterAll(() => {
  process.env = { ...saved }
  resetObservability()
})

const seen = withTracking(
  async (request: Request, _context: unknown) => {
    const before = await getRequestId()
    // Kept: simulated work of a given length, so that concurrent requests interleave; nothing is awaited.
    await new Promise((r) => setTimeout(r, Number(new URL(request.url).searchParams.get('wait'))))
    const after = await getRequestId()
    let nested: string | undefined
    if (request.headers.get('x-fork')) {
      const Sentry = await import('@sentry/nextjs')
      nested = await Sentry.withIsolationScope(async () => {
        // Kept: an await inside the nested scope, so other requests run meanwhile.
        await new Promise((r) => setTimeout(r, 5))
        return getRequestId()
      })
    }
    return Response.json({ before, after, nested })
  },
  { endpoint: '/api/seen' },
)

async function burst(fork: boolean) {
  const calls = Array.from({ length: 8 }, (_, i) =>
    seen(new Request(`http://127.0.0.1/api/seen?wait=${(8 - i) * 3}`, { headers: { 'x-request-id': `ctx-${i}`, ...(fork ? { 'x-fork': '1' } : {}) } }), {
      params: Promise.resolve({}),
    }).then((r) => r.json() as Promise<{ before: string; after: string; nested?: string }>),
  )
  return Promise.all(calls)
}

describe('the request context follows each request', () => {
  it('with Sentry off', async () => {
    for (const k of Object.keys(process.env)) if (/^(POSTHOG|SENTRY)_/.test(k)) delete process.env[k]
    resetObservability()
    const out = await burst(false)
    out.forEach((o, i) => expect(o).toMatchObject({ before: `ctx-${i}`, after: `ctx-${i}` }))
  })

  it('with Sentry on, through a nested isolation scope too', async () => {
    Object.assign(process.env, { SENTRY_DSN: 'http://key@127.0.0.1:9/1', SENTRY_TRACES_SAMPLE_RATE: '0' })
    resetObservability()
    await registerNode()
    const out = await burst(true)
    out.forEach((o, i) => expect(o).toEqual({ before: `ctx-${i}`, after: `ctx-${i}`, nested: `ctx-${i}` }))
  })
})
