import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCAL_POSTHOG_KEY } from '@/lib/observability/shared/config'
import { startNext, type NextServer } from '../support/next-server'

/**
 * Local mode on a real `next start` listening on every address (`-H ::`, as `next dev -H 0.0.0.0`
 * or Docker would): requests from this machine's own non-loopback address are requests from
 * another machine as far as the server can tell (the socket's peer is not loopback), and they
 * must find nothing there, whatever headers they send. `OBSERVABILITY_LOCAL_ALLOW_REMOTE=1` opens
 * the routes up; it never lets another origin's page write.
 */

const interfaces = Object.values(networkInterfaces()).flat()
const external = interfaces.find((i) => i && !i.internal && i.family === 'IPv4')?.address
/** A global or unique-local IPv6 address of this machine, if it has one (link-local needs a zone). */
const external6 = interfaces.find((i) => i && !i.internal && i.family === 'IPv6' && !i.address.startsWith('fe80'))?.address

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A request to `port` on `address`, so the server's socket sees this machine's `address` as the peer. */
function send(address: string, port: number, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: address, port, path, method: init.method ?? 'GET', headers: init.headers, agent: false, timeout: 60_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('timeout', () => req.destroy(new Error(`timeout: ${path}`)))
    req.on('error', reject)
    req.end(init.body)
  })
}

const batch = (marker: string) => JSON.stringify({ api_key: LOCAL_POSTHOG_KEY, batch: [{ event: marker, properties: { distinct_id: 'd-1' } }] })
const envelope = (marker: string, tunnel: boolean) =>
  `${JSON.stringify({ event_id: 'c'.repeat(32), ...(tunnel ? { dsn: 'http://local@127.0.0.1:3000/_ox/s/1' } : {}) })}\n${JSON.stringify({ type: 'event' })}\n${JSON.stringify({ event_id: 'c'.repeat(32), message: marker, level: 'error' })}\n`

/** Status of every route of local mode, reads and writes (each write carrying `marker`), from `address`. */
async function statuses(address: string, port: number, marker: string, headers: Record<string, string> = {}): Promise<Record<string, number>> {
  const post = (path: string, body: string) => send(address, port, path, { method: 'POST', body, headers: { 'content-type': 'text/plain', ...headers } })
  const get = (path: string) => send(address, port, path, { headers })
  return {
    viewer: (await get('/observability')).status,
    feed: (await get('/_ox/local/events')).status,
    config: (await get(`/_ox/p/array/${LOCAL_POSTHOG_KEY}/config.js`)).status,
    capture: (await post('/_ox/p/e/', batch(`${marker}-posthog`))).status,
    tunnel: (await post('/_ox/s', envelope(`${marker}-tunnel`, true))).status,
    envelope: (await post('/_ox/s/api/1/envelope/?sentry_key=local', envelope(`${marker}-envelope`, false))).status,
  }
}

const OK = { viewer: 200, feed: 200, config: 200, capture: 200, tunnel: 200, envelope: 200 }
const GONE = { viewer: 404, feed: 404, config: 404, capture: 404, tunnel: 404, envelope: 404 }
/** What a client on another machine might try to pass for this one. */
const SPOOF = { host: 'localhost:3000', 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1', 'x-observability-client-address': '0 127.0.0.1' }

function stored(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('')
}

describe.skipIf(!external)(`local mode answers only this machine (remote client: ${external ?? 'none found'})`, () => {
  let dir: string
  let app: NextServer | undefined

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ox-remote-int-'))
  })
  afterAll(async () => {
    await app?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers loopback clients and is a 404 for every other address, whatever they send', async () => {
    app = await startNext({ OBSERVABILITY_LOCAL: '1', OBSERVABILITY_LOCAL_DIR: dir }, undefined, '::')
    expect(await statuses('127.0.0.1', app.port, 'loopback-v4')).toEqual(OK)
    expect(await statuses('::1', app.port, 'loopback-v6')).toEqual(OK)
    expect(await statuses(external!, app.port, 'remote-plain')).toEqual(GONE)
    expect(await statuses(external!, app.port, 'remote-spoofed', SPOOF)).toEqual(GONE)
    if (external6) expect(await statuses(external6, app.port, 'remote-v6', SPOOF)).toEqual(GONE)
    // Next answers OPTIONS itself on the ingestion routes: never with a CORS grant.
    const preflight = await send('127.0.0.1', app.port, '/_ox/p/e/', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
    expect((await send('127.0.0.1', app.port, '/observability', { method: 'OPTIONS' })).status).toBe(404)
    // A page of another site, through the developer's own browser: loopback, and still refused.
    const crossSite = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }
    const refused = await send('127.0.0.1', app.port, '/_ox/p/e/', {
      method: 'POST',
      body: batch('cross-site-posthog'),
      headers: { 'content-type': 'text/plain', ...crossSite },
    })
    expect([refused.status, refused.headers['access-control-allow-origin']]).toEqual([403, undefined])
    expect((await send('127.0.0.1', app.port, '/_ox/s', { method: 'POST', body: envelope('cross-site-tunnel', true), headers: crossSite })).status).toBe(403)
    await app.stop()
    app = undefined
    // Stopped, so everything it was going to write is on disk.
    const text = stored(dir)
    for (const marker of ['loopback-v4', 'loopback-v6']) for (const route of ['posthog', 'tunnel', 'envelope']) expect(text).toContain(`${marker}-${route}`)
    expect(text).not.toMatch(/remote-|cross-site-/)
  })

  it('answers every address with OBSERVABILITY_LOCAL_ALLOW_REMOTE=1, and still refuses other origins', async () => {
    app = await startNext({ OBSERVABILITY_LOCAL: '1', OBSERVABILITY_LOCAL_DIR: dir, OBSERVABILITY_LOCAL_ALLOW_REMOTE: '1' }, undefined, '::')
    expect(await statuses(external!, app.port, 'allowed-remote')).toEqual(OK)
    const crossSite = await send(external!, app.port, '/_ox/p/e/', {
      method: 'POST',
      body: batch('allowed-cross-site'),
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
    })
    expect(crossSite.status).toBe(403)
    await app.stop()
    app = undefined
    const text = stored(dir)
    expect(text).toContain('allowed-remote-posthog')
    expect(text).not.toContain('allowed-cross-site')
  })
})
