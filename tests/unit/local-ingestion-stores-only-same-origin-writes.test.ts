import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resetObservability } from 'nextjs-observability-kit/testing'
import { posthogBatch, request, routes, sentryEnvelope, storedText, useLocalMode, waitForStored, type From } from '../support/local-routes'

/**
 * A page on another site can make the developer's browser POST to `http://localhost:3000`: a
 * `text/plain` or form body needs no CORS preflight. Local mode must store only what the app's
 * own pages and the kit's own server SDKs send.
 */

let dir: string
const saved = { ...process.env }

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ox-origin-'))
  useLocalMode(dir)
})
afterAll(() => {
  process.env = { ...saved }
  resetObservability()
  rmSync(dir, { recursive: true, force: true })
})

type Route = 'posthog' | 'sentryTunnel' | 'sentryIngest'

/** One write to each ingestion route, carrying `marker`, from `from`. */
function write(route: Route, marker: string, from: From): Promise<Response> {
  if (route === 'posthog')
    return routes.posthog(request('/_ox/p/e/', { method: 'POST', body: posthogBatch(marker), headers: { 'content-type': 'text/plain' } }, from))
  if (route === 'sentryTunnel')
    return routes.sentryTunnel(
      request('/_ox/s', { method: 'POST', body: sentryEnvelope(marker, true), headers: { 'content-type': 'text/plain;charset=UTF-8' } }, from),
    )
  return routes.sentryIngest(request('/_ox/s/api/1/envelope/?sentry_key=local', { method: 'POST', body: sentryEnvelope(marker, false) }, from))
}

const ROUTES: Route[] = ['posthog', 'sentryTunnel', 'sentryIngest']

const browser = (origin: string | null, site: string | null, host = 'localhost:3000'): From => ({
  host,
  headers: { ...(origin !== null ? { origin } : {}), ...(site !== null ? { 'sec-fetch-site': site } : {}) },
})

describe('local mode stores only what the app’s own pages and server send', () => {
  const refused: Array<[string, From]> = [
    ['a page on another site', browser('https://evil.example', 'cross-site')],
    ['another site, in a browser without Sec-Fetch-Site', browser('https://evil.example', null)],
    ['an opaque origin (sandboxed frame, file: page)', browser('null', 'cross-site')],
    ['Origin: null alone', browser('null', null)],
    ['another port of localhost', browser('http://localhost:3001', 'same-site')],
    ['another port, without Sec-Fetch-Site', browser('http://localhost:3001', null)],
    ['a cross-site request that sends no Origin (an <img>, a GET form)', browser(null, 'cross-site')],
    ['a sibling site', browser(null, 'same-site')],
    ['an Origin that merely starts like ours', browser('http://localhost:3000.evil.example', null)],
  ]

  for (const [who, from] of refused) {
    it(`refuses ${who} with 403 on every ingestion route`, async () => {
      for (const route of ROUTES) {
        const res = await write(route, `refused-${route}-${who}`, from)
        expect(res.status, route).toBe(403)
        expect(res.headers.get('access-control-allow-origin'), route).toBeNull()
      }
    })
  }

  it('refuses a cross-site GET that would store an event through ?data=', async () => {
    const data = Buffer.from(posthogBatch('refused-get-marker')).toString('base64')
    const res = await routes.posthog(request(`/_ox/p/e/?data=${encodeURIComponent(data)}`, {}, browser(null, 'cross-site')))
    expect(res.status).toBe(403)
  })

  it('answers a page of a rebound DNS name (Host and Origin agree, but name this machine under another name) with 404', async () => {
    for (const route of ROUTES) {
      const res = await write(route, `refused-${route}-rebound`, browser('http://evil.example:3000', 'same-origin', 'evil.example:3000'))
      expect(res.status, route).toBe(404)
    }
  })

  it('stores the app’s own pages, the kit’s server SDKs and a typed-in request', async () => {
    const accepted: Array<[string, From]> = [
      ['page', browser('http://localhost:3000', 'same-origin')],
      ['page-without-sec-fetch', browser('http://localhost:3000', null)],
      ['page-on-ip', browser('http://127.0.0.1:3000', 'same-origin', '127.0.0.1:3000')],
      ['page-on-default-port', browser('http://localhost', 'same-origin', 'localhost')],
      ['server-sdk', { host: '127.0.0.1:3000', headers: {} }],
      ['typed-in', browser(null, 'none')],
    ]
    for (const [who, from] of accepted) {
      for (const route of ROUTES) {
        const res = await write(route, `accepted-${route}-${who}`, from)
        expect(res.status, `${route} ${who}`).toBe(200)
        expect(res.headers.get('access-control-allow-origin'), route).toBeNull()
      }
    }
    await waitForStored(dir, 'accepted-sentryIngest-typed-in')
    const stored = storedText(dir)
    for (const [who] of accepted) for (const route of ROUTES) expect(stored, `${route} ${who}`).toContain(`accepted-${route}-${who}`)
    // Written in arrival order: the refused writes came first and none of them is there.
    expect(stored).not.toContain('refused-')
  })

  it('answers a CORS preflight to its own routes with 404 and no CORS header', async () => {
    const res = await routes.preflight()
    expect(res.status).toBe(404)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })
})
