import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { clientAddress, watchClientAddresses } from '@/lib/observability/server/local/client-address'
import { isLoopback } from '@/lib/observability/server/local/local-access'
import { LOCAL_POSTHOG_KEY } from '@/lib/observability/shared/config'
import { resetObservability } from 'nextjs-observability-kit/testing'
import { posthogBatch, request, routes, sentryEnvelope, useLocalMode, type From } from '../support/local-routes'

/**
 * `next dev -H 0.0.0.0` (or Docker) makes the app reachable from the network; local mode's routes
 * hold everything the app's users did and write whatever they are sent. They answer this machine
 * only, unless OBSERVABILITY_LOCAL_ALLOW_REMOTE says otherwise.
 */

let dir: string
const saved = { ...process.env }

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ox-loopback-'))
  useLocalMode(dir)
})
afterAll(() => {
  process.env = { ...saved }
  resetObservability()
  rmSync(dir, { recursive: true, force: true })
})

/** One request to every route of local mode, reads and writes, from `from`. */
async function statuses(from: From): Promise<Record<string, number>> {
  const write = { method: 'POST', headers: { 'content-type': 'text/plain' } }
  const all: Record<string, Promise<Response>> = {
    viewer: routes.viewer(request('/observability', {}, from)),
    feed: routes.events(request('/_ox/local/events', {}, from)),
    event: routes.event(request('/_ox/local/events/00000000-0000-0000-0000-000000000000', {}, from)),
    capture: routes.posthog(request('/_ox/p/e/', { ...write, body: posthogBatch('from-elsewhere') }, from)),
    flags: routes.posthog(request('/_ox/p/flags/?v=2', { ...write, body: JSON.stringify({ token: LOCAL_POSTHOG_KEY, distinct_id: 'd' }) }, from)),
    config: routes.posthog(request(`/_ox/p/array/${LOCAL_POSTHOG_KEY}/config.js`, {}, from)),
    script: routes.posthog(request('/_ox/p/static/lazy-recorder.js', {}, from)),
    tunnel: routes.sentryTunnel(request('/_ox/s', { ...write, body: sentryEnvelope('from-elsewhere', true) }, from)),
    envelope: routes.sentryIngest(request('/_ox/s/api/1/envelope/?sentry_key=local', { ...write, body: sentryEnvelope('from-elsewhere', false) }, from)),
  }
  const out: Record<string, number> = {}
  for (const [name, res] of Object.entries(all)) out[name] = (await res).status
  return out
}

const OK = { viewer: 200, feed: 200, event: 404, capture: 200, flags: 200, config: 200, script: 200, tunnel: 200, envelope: 200 }
const GONE = Object.fromEntries(Object.keys(OK).map((k) => [k, 404]))

describe('local mode’s routes answer this machine only', () => {
  it('answers loopback clients, IPv4, IPv6 and IPv4 through a dual-stack socket', async () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect(await statuses({ address, host: 'localhost:3000' }), address).toEqual(OK)
    }
  })

  it('does not exist for any other address, whatever the request claims', async () => {
    const spoof = { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1', forwarded: 'for=127.0.0.1' }
    for (const address of ['192.0.2.7', '::ffff:192.0.2.7', 'fd00::2', '10.0.0.1', '0.0.0.0', '::']) {
      expect(await statuses({ address, host: 'localhost:3000', headers: spoof }), address).toEqual(GONE)
    }
  })

  it('asks a request the address watcher did not see to come again, in its first two minutes only', async () => {
    // Unseen: it reached the server before the watcher started, or carries a stamp the watcher
    // did not write. Sent again, it is seen (and judged like any other).
    const unseen: From[] = [
      { address: null, headers: { 'x-forwarded-for': '127.0.0.1' } },
      { address: null, headers: { 'x-observability-client-address': 'not-the-token 127.0.0.1' } },
    ]
    for (const from of unseen) {
      expect(await statuses(from)).toEqual(Object.fromEntries(Object.keys(OK).map((k) => [k, 307])))
      const again = await routes.posthog(request('/_ox/p/e/?retry_count=0', { method: 'POST', body: posthogBatch('unseen') }, from))
      expect([again.status, again.headers.get('location')]).toEqual([307, '/_ox/p/e/?retry_count=0'])
    }
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 121_000)
      for (const from of unseen) expect(await statuses(from)).toEqual(GONE)
    } finally {
      vi.useRealTimers()
    }
  })

  it('does not exist under a host name someone else’s DNS could point here (DNS rebinding)', async () => {
    for (const host of ['evil.example:3000', 'localhost.evil.example', 'evil.example@localhost:3000', '']) {
      expect(await statuses({ address: '127.0.0.1', host }), host).toEqual(GONE)
    }
    for (const host of ['localhost', 'LOCALHOST:3000', 'app.localhost:3000', 'localhost.:3000', '127.0.0.1:3000', '[::1]:3000', '192.168.1.5:3000']) {
      expect(await statuses({ address: '127.0.0.1', host }), host).toEqual(OK)
    }
  })

  it('answers everyone with OBSERVABILITY_LOCAL_ALLOW_REMOTE=1', async () => {
    useLocalMode(dir, { OBSERVABILITY_LOCAL_ALLOW_REMOTE: '1' })
    try {
      expect(await statuses({ address: '192.0.2.7', host: 'devbox.lan:3000' })).toEqual(OK)
      // Still only the app's own pages may write.
      const foreign = await routes.posthog(
        request('/_ox/p/e/', { method: 'POST', body: posthogBatch('x') }, { address: '192.0.2.7', headers: { origin: 'https://evil.example' } }),
      )
      expect(foreign.status).toBe(403)
    } finally {
      useLocalMode(dir)
    }
  })

  it('reads loopback addresses exactly', () => {
    expect(['127.0.0.1', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::FFFF:127.1.2.3'].filter((a) => !isLoopback(a))).toEqual([])
    expect(['128.0.0.1', '1.127.0.0', '::2', '::ffff:10.0.0.1', '::ffff:7f00:1x', 'localhost', '', undefined].filter((a) => isLoopback(a))).toEqual([])
  })
})

describe('the client address comes from the socket, never from the request', () => {
  let server: Server
  let port: number
  const seen: Array<{ address: string | undefined; headers: IncomingHttpHeaders }> = []

  beforeAll(async () => {
    watchClientAddresses()
    // What Next does: a Web Request built from the Node request's headers, handed to the route.
    server = createServer((req, res) => {
      const headers = new Headers()
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
      seen.push({ address: clientAddress(new Request('http://x/', { headers })), headers: { ...req.headers } })
      res.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '::', resolve))
    port = (server.address() as { port: number }).port
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  function send(host: string, headers: Record<string, string>): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host, port, path: '/', headers, agent: false }, (res) => res.resume().on('end', resolve))
      req.on('error', reject)
      req.end()
    })
  }

  it('reports the socket’s address and drops any copy the client sent', async () => {
    seen.length = 0
    await send('127.0.0.1', { 'x-observability-client-address': `${'0'.repeat(32)} 127.0.0.1`, 'x-forwarded-for': '127.0.0.1' })
    expect(seen[0]?.address).toBe('::ffff:127.0.0.1')
    await send('::1', {})
    expect(seen[1]?.address).toBe('::1')
  })

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4')?.address
  it.skipIf(!external)(`reports a non-loopback client as such (this machine's ${external ?? 'none'})`, async () => {
    seen.length = 0
    await send(external!, { 'x-forwarded-for': '127.0.0.1', 'x-observability-client-address': 'forged 127.0.0.1' })
    expect(seen[0]?.address).toBe(`::ffff:${external}`)
    expect(isLoopback(seen[0]?.address)).toBe(false)
    expect(seen[0]?.headers['x-forwarded-for']).toBe('127.0.0.1')
  })
})
