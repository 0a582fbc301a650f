import { request as httpRequest } from 'node:http'
import { gzipSync } from 'node:zlib'
import { PostHog } from 'posthog-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { startNext, type NextServer } from '../support/next-server'

/**
 * Against the built app (`next build && next start`) with PostHog pointed at the fake ingestion
 * server: the same-origin proxy reaches PostHog only for the SDKs' own paths. The paths a security
 * review found open (`/admin/login`, `/signup`, `/api/projects/`) answer 404 and the fake never
 * sees them, while real captures through the proxy still arrive decoded. The client's own
 * `X-Forwarded-For` is not passed on unless the app is told it runs behind a trusted proxy.
 */

const KEY = 'phc_proxyintegration12'
const REVIEWED = ['/admin/login', '/signup', '/api/projects/']

/** A request sent byte for byte, so `..` and `%2F` reach the server unnormalised (fetch would resolve them). */
function rawRequest(url: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method: 'GET', agent: false, path }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

/** A posthog-js capture as the browser sends it: a gzip batch on `/e/?compression=gzip-js`. */
async function captureThroughProxy(app: NextServer, event: string, headers: Record<string, string> = {}): Promise<number> {
  const body = gzipSync(JSON.stringify([{ event, properties: { distinct_id: 'proxy-int', token: KEY, $lib: 'web' } }]))
  const res = await fetch(`${app.url}/_ox/p/e/?ip=0&_=${Date.now()}&ver=1.449.2&compression=gzip-js`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'text/plain', cookie: 'session=secret', ...headers },
  })
  await res.arrayBuffer()
  return res.status
}

describe('the PostHog proxy of a production build forwards only ingestion paths', () => {
  let fake: FakeIngest
  let app: NextServer
  let stopped = false

  beforeAll(async () => {
    fake = await startFakeIngest()
    app = await startNext({ POSTHOG_API_KEY: KEY, POSTHOG_HOST: fake.posthogHost })
  })
  afterAll(async () => {
    if (!stopped) await app?.stop()
    await fake?.close()
  })

  it('answers 404 for the reviewed paths and for traversal, and a real capture still arrives', async () => {
    for (const path of REVIEWED) {
      for (const method of ['GET', 'POST']) {
        const res = await fetch(`${app.url}/_ox/p${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) })
        expect(res.status, `${method} ${path}`).toBe(404)
        expect(await res.text(), `${method} ${path}`).toBe('')
      }
    }
    for (const path of [
      '/_ox/p/decide/../admin/login',
      '/_ox/p/static/..%2F..%2Fapi%2Fprojects%2F',
      '/_ox/p/e%2F..%2Fsignup',
      '/_ox/p/flags/..%2Fapi/projects/',
    ]) {
      expect([400, 404], path).toContain(await rawRequest(app.url, path))
    }

    expect(await captureThroughProxy(app, 'proxied_capture', { 'x-forwarded-for': '203.0.113.7' })).toBe(200)
    const node = new PostHog(KEY, { host: `${app.url}/_ox/p`, flushAt: 1, flushInterval: 0 })
    await node.captureImmediate({ distinctId: 'proxy-int', event: 'proxied_batch' })
    await node.shutdown()

    // Stopping the app flushes whatever its own server SDK had queued; only then is absence final.
    await app.stop()
    stopped = true
    const events = fake.events()
    expect(events.find((e) => e.event === 'proxied_capture')).toMatchObject({ distinct_id: 'proxy-int', api_key: KEY, properties: { $lib: 'web' } })
    expect(events.find((e) => e.event === 'proxied_batch')).toMatchObject({ distinct_id: 'proxy-int', properties: { $lib: 'posthog-node' } })

    const paths = fake.requests().map((r) => r.path)
    for (const path of REVIEWED) expect(paths, path).not.toContain(path)
    expect(paths.filter((p) => /admin|signup|login|projects|decide/.test(p))).toEqual([])
    const capture = fake.requests().find((r) => r.path === '/e/')
    expect(capture?.headers).not.toHaveProperty('cookie')
    // The browser wrote that address itself; the app was not told it runs behind a proxy.
    expect(capture?.headers).not.toHaveProperty('x-forwarded-for')
  })
})

describe('behind a trusted proxy (OBSERVABILITY_TRUSTED_PROXY_HOPS=1)', () => {
  let fake: FakeIngest
  let app: NextServer

  beforeAll(async () => {
    fake = await startFakeIngest()
    app = await startNext({ POSTHOG_API_KEY: KEY, POSTHOG_HOST: fake.posthogHost, OBSERVABILITY_TRUSTED_PROXY_HOPS: '1' })
  })
  afterAll(async () => {
    await app?.stop()
    await fake?.close()
  })

  it('forwards the address the proxy appended, not the one the client wrote', async () => {
    expect(await captureThroughProxy(app, 'behind_proxy', { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' })).toBe(200)
    const forwarded = await fake.waitFor((f) => f.requests().find((r) => r.path === '/e/'))
    expect(forwarded.headers['x-forwarded-for']).toBe('203.0.113.7')
  })

  it('forwards the socket address that next start fills in when no proxy sent the header', async () => {
    fake.clear()
    expect(await captureThroughProxy(app, 'direct')).toBe(200)
    const forwarded = await fake.waitFor((f) => f.requests().find((r) => r.path === '/e/'))
    expect(forwarded.headers['x-forwarded-for']).toMatch(/^(127\.0\.0\.1|::ffff:127\.0\.0\.1)$/)
  })
})
