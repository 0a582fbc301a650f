import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../support/eventually'
import { startFakeIngest, startRefusingPort, type FakeIngest } from '../support/fake-ingest'
import { startNext, type NextServer } from '../support/next-server'

/**
 * A down, hanging or failing ingestion host never slows or breaks the app. "Never waits" is shown
 * functionally: the SDKs' request timeout is 5 s, so a response that waited on telemetry would
 * take at least that long; every response here must come back well inside it.
 */
const BUDGET_MS = 2_500

async function hammer(app: NextServer, n: number) {
  const paths: string[] = ['/api/ping', '/api/debug/throw?kind=ProviderError', '/api/debug/slow?ms=10', '/']
  const results = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const started = Date.now()
      const res = await fetch(`${app.url}${paths[i % paths.length]!}`, { headers: { 'x-request-id': `open-${i}` } })
      await res.arrayBuffer()
      return { status: res.status, ms: Date.now() - started, path: paths[i % paths.length]! }
    }),
  )
  return results
}

function expectHealthy(results: Awaited<ReturnType<typeof hammer>>) {
  for (const r of results) {
    expect(r.status, r.path).toBe(r.path.includes('throw') ? 500 : 200)
    expect(r.ms, `${r.path} took ${r.ms} ms`).toBeLessThan(BUDGET_MS)
  }
}

/** posthog-node gave up on a delivery (after its one retry) and the kit said so, once. */
function untilPostHogGaveUp(app: NextServer) {
  return eventually(
    () => app.output(),
    (out) => /\[observability\] posthog-node delivery failed/.test(out),
    'posthog-node reporting a failed delivery',
    { timeoutMs: 30_000 },
  )
}

function expectNoUnhandled(app: NextServer) {
  expect(app.output()).not.toMatch(/unhandled ?rejection|UnhandledPromiseRejection|uncaught/i)
}

describe('telemetry fails open', () => {
  let fake: FakeIngest
  beforeAll(async () => {
    fake = await startFakeIngest()
  })
  afterAll(async () => {
    await fake?.close()
  })

  it('with the ingestion host down (connection refused)', async () => {
    const { port } = await startRefusingPort()
    const app = await startNext({
      POSTHOG_API_KEY: 'phc_failopenkey12345',
      POSTHOG_HOST: `http://127.0.0.1:${port}`,
      SENTRY_DSN: `http://key@127.0.0.1:${port}/42`,
      DEBUG: '1',
    })
    try {
      expectHealthy(await hammer(app, 24))
      // Again once the SDKs have met the refusal and given up on what they held.
      await untilPostHogGaveUp(app)
      expectHealthy(await hammer(app, 8))
      expectNoUnhandled(app)
    } finally {
      await app.stop()
    }
  })

  it('with the ingestion host hanging (accepts, never answers)', async () => {
    fake.setMode('hang')
    const app = await startNext({ POSTHOG_API_KEY: 'phc_failopenkey12345', POSTHOG_HOST: fake.posthogHost, SENTRY_DSN: fake.sentryDsn, DEBUG: '1' })
    try {
      expectHealthy(await hammer(app, 24))
      // Again once a delivery has hung until its client's timeout gave up on it.
      await fake.waitFor((f) => f.requests().some((r) => r.kind === 'posthog-events' && r.abandoned), {
        timeoutMs: 30_000,
        message: 'posthog-node abandoning a hung delivery',
      })
      expectHealthy(await hammer(app, 8))
      expect(fake.requests().length).toBeGreaterThan(0)
      expectNoUnhandled(app)
    } finally {
      await app.stop()
      fake.setMode('ok')
    }
  })

  it('with the ingestion host answering 500', async () => {
    fake.clear()
    fake.setMode('fail500')
    const app = await startNext({ POSTHOG_API_KEY: 'phc_failopenkey12345', POSTHOG_HOST: fake.posthogHost, SENTRY_DSN: fake.sentryDsn, DEBUG: '1' })
    try {
      expectHealthy(await hammer(app, 24))
      // Again once the SDKs have met the 500s and posthog-node has retried and given up.
      await untilPostHogGaveUp(app)
      expectHealthy(await hammer(app, 8))
      expect(fake.requests().length).toBeGreaterThan(0)
      expectNoUnhandled(app)
    } finally {
      await app.stop()
      fake.setMode('ok')
    }
  })
})
