import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { LOCAL_POSTHOG_KEY } from '@/lib/observability/shared/config'
import { posthogProxy } from '@/lib/observability/server/proxy'
import { posthogRoute } from '@/lib/observability/server/proxy/posthog-routes'
import { resetObservability } from 'nextjs-observability-kit/testing'
import { startRecordingHost, type RecordingHost } from '../support/recording-host'
import { request as localRequest, routes } from '../support/local-routes'

/**
 * The PostHog proxy is a door to ingestion only: it forwards exactly the paths the pinned SDKs
 * request and answers 404 for everything else without contacting the host, and it never passes
 * back a page its endpoint does not serve. The route function is called directly with a real
 * `Request`; a plain HTTP server stands in for the PostHog host and records every request.
 */

const KEY = 'phc_allowlistkey1234'
const saved = { ...process.env }
let host: RecordingHost

function configure(env: Record<string, string>) {
  for (const k of Object.keys(process.env)) if (/^(POSTHOG|SENTRY|OBSERVABILITY)_/.test(k)) delete process.env[k]
  Object.assign(process.env, env)
  resetObservability()
}

/** `/_ox/p/<path>` as Next hands it to the route: the URL, and the catch-all's segments. */
function proxy(path: string, init: RequestInit & { segments?: string[] } = {}) {
  const { segments: given, ...requestInit } = init
  const url = new URL(`/_ox/p${path}`, 'http://app.test')
  const segments =
    given ??
    url.pathname
      .replace(/^\/_ox\/p\//, '')
      .split('/')
      .filter(Boolean)
  return posthogProxy(new Request(url, requestInit), { params: Promise.resolve({ path: segments }) })
}

beforeAll(async () => {
  host = await startRecordingHost()
})
afterAll(async () => {
  process.env = { ...saved }
  resetObservability()
  await host.close()
})
beforeEach(() => {
  host.clear()
  configure({ POSTHOG_API_KEY: KEY, POSTHOG_HOST: host.url })
})

/** One request per endpoint the SDKs build, with the method and query they use (see posthog-routes.ts). */
const SDK_REQUESTS: Array<[who: string, method: 'GET' | 'POST', path: string]> = [
  ['posthog-js capture (analyticsDefaultEndpoint)', 'POST', '/e/?ip=0&_=1760000000000&ver=1.449.2&compression=gzip-js'],
  ['posthog-js capture (remote config analytics.endpoint)', 'POST', '/i/v0/e/?ip=0&_=1760000000000&ver=1.449.2'],
  ['posthog-js session replay', 'POST', '/s/?ip=0&_=1760000000000&ver=1.449.2&compression=gzip-js'],
  ['posthog-js flags', 'POST', '/flags/?v=2'],
  ['posthog-js remote config (JSON)', 'GET', `/array/${KEY}/config`],
  ['posthog-js remote config (script)', 'GET', `/array/${KEY}/config.js`],
  ['posthog-js lazy recorder', 'GET', '/static/lazy-recorder.js?v=1.449.2'],
  ['posthog-js exception autocapture', 'GET', '/static/exception-autocapture.js?v=1.449.2'],
  ['posthog-js web vitals', 'GET', '/static/web-vitals.js?v=1.449.2'],
  ['posthog-js surveys bundle (strict_script_versioning)', 'GET', '/static/1.449.2/surveys.js'],
  ['posthog-js toolbar', 'GET', '/static/toolbar.js?v=1.449.2&t=1760000000000'],
  ['a bundle’s source map', 'GET', '/static/lazy-recorder.js.map'],
  ['posthog-js logs', 'POST', `/i/v1/logs?token=${KEY}`],
  ['posthog-js metrics', 'POST', `/i/v1/metrics?token=${KEY}`],
  ['posthog-js surveys', 'GET', `/api/surveys/?token=${KEY}`],
  ['posthog-js early access features', 'GET', `/api/early_access_features/?token=${KEY}&stage=beta`],
  ['posthog-js product tours', 'GET', `/api/product_tours/?token=${KEY}`],
  ['posthog-js web experiments', 'GET', `/api/web_experiments/?token=${KEY}`],
  ['posthog-js conversations: send', 'POST', '/api/conversations/v1/widget/message'],
  ['posthog-js conversations: messages', 'GET', '/api/conversations/v1/widget/messages/0f4e7a2c-1b3d-4c5e-8f90-123456789abc?limit=50'],
  ['posthog-js conversations: read', 'POST', '/api/conversations/v1/widget/messages/0f4e7a2c-1b3d-4c5e-8f90-123456789abc/read'],
  ['posthog-js conversations: tickets', 'GET', '/api/conversations/v1/widget/tickets?limit=10'],
  ['posthog-js conversations: restore', 'POST', '/api/conversations/v1/widget/restore'],
  ['posthog-js conversations: restore request', 'POST', '/api/conversations/v1/widget/restore/request'],
  ['posthog-node batch', 'POST', '/batch/'],
  ['posthog-node flags', 'POST', '/flags/?v=2&config=true'],
  ['posthog-node AI events', 'POST', '/i/v0/ai/batch/'],
  ['posthog-node capture v1', 'POST', '/i/v1/analytics/events'],
  ['posthog-node logs', 'POST', `/i/v1/logs?token=${KEY}`],
]

describe('forwards every path the SDKs request', () => {
  it.each(SDK_REQUESTS)('%s: %s %s', async (_who, method, path) => {
    const res = await proxy(path, method === 'POST' ? { method, body: '{}', headers: { 'content-type': 'application/json' } } : { method })
    expect(res.status).toBe(200)
    expect(await res.text()).not.toBe('')
    const [received, ...more] = host.requests()
    expect(more).toEqual([])
    const url = new URL(path, 'http://x')
    expect(received).toMatchObject({ method, path: url.pathname, search: url.search })
  })

  it('passes the conversations widget its public token and nothing else of the browser', async () => {
    await proxy('/api/conversations/v1/widget/message', {
      method: 'POST',
      body: '{}',
      headers: { 'x-conversations-token': 'conv_public', cookie: 'session=secret', authorization: 'Bearer x', 'x-csrf-token': 'c' },
    })
    const headers = host.requests()[0]?.headers ?? {}
    expect(headers['x-conversations-token']).toBe('conv_public')
    expect(headers).not.toHaveProperty('cookie')
    expect(headers).not.toHaveProperty('authorization')
    expect(headers).not.toHaveProperty('x-csrf-token')
  })
})

describe('answers 404 for everything else, without contacting the host', () => {
  const REFUSED: Array<[label: string, segments: string[], trailingSlash?: boolean]> = [
    ['/admin/login', ['admin', 'login']],
    ['/signup', ['signup']],
    ['/api/projects/', ['api', 'projects'], true],
    ['/login', ['login']],
    ['/', []],
    ['/decide/ (not used by these SDKs)', ['decide'], true],
    ['/decide/../admin', ['decide', '..', 'admin']],
    ['/static/../api', ['static', '..', 'api']],
    ['/e/../admin', ['e', '..', 'admin']],
    ['encoded slashes, as sent', ['static%2F..%2Fapi']],
    ['encoded slashes, decoded by the router', ['e/../admin']],
    ['a backslash', ['static\\..\\api']],
    ['an absolute URL', ['https:', '', 'evil.test']],
    ['/api/projects/@current/feature_flags/x/remote_config (needs a personal key)', ['api', 'projects', '@current', 'feature_flags', 'x', 'remote_config']],
    ['/flags/definitions (local evaluation, needs a secret key)', ['flags', 'definitions']],
    ['/i/v1/traces (bearer auth)', ['i', 'v1', 'traces']],
    ['/api/surveys/1/ (only the list is public)', ['api', 'surveys', '1'], true],
    ['/e/extra', ['e', 'extra']],
    ['another project’s remote config', ['array', 'phc_someoneelse1234', 'config.js']],
    ['/array/<token>/config.json', ['array', KEY, 'config.json']],
    ['/static/index.html', ['static', 'index.html']],
    ['a nested static folder', ['static', 'js', 'app.js']],
    ['/static/', ['static'], true],
    ['/_health', ['_health']],
    ['too many segments', Array.from({ length: 13 }, () => 'e')],
  ]

  it.each(REFUSED)('%s', async (label, segments, trailingSlash) => {
    const get = await proxy(`/${segments.join('/')}${trailingSlash ? '/' : ''}`, { segments })
    const post = await proxy(`/${segments.join('/')}${trailingSlash ? '/' : ''}`, { segments, method: 'POST', body: '{}' })
    expect([get.status, post.status], label).toEqual([404, 404])
    expect(await get.text()).toBe('')
    expect(host.requests()).toEqual([])
  })

  it('answers 404 for the SDK paths too while PostHog is off', async () => {
    configure({ POSTHOG_HOST: host.url })
    for (const [, method, path] of SDK_REQUESTS) expect((await proxy(path, { method })).status, path).toBe(404)
    expect(host.requests()).toEqual([])
  })

  it('applies the same list in local mode, which answers the allowed paths itself', async () => {
    configure({ OBSERVABILITY_LOCAL: '1', OBSERVABILITY_LOCAL_DIR: '/nonexistent/never-written' })
    // Local mode answers this machine only: these requests come from loopback, as a browser's would.
    const local = (path: string, init: RequestInit = {}) => routes.posthog(localRequest(`/_ox/p${path}`, init))
    expect((await local('/admin/login')).status).toBe(404)
    expect((await local('/api/projects/')).status).toBe(404)
    // Local mode itself would answer these legacy endpoints; the list keeps them shut there too.
    const flagsBody = JSON.stringify({ token: LOCAL_POSTHOG_KEY, distinct_id: 'd1' })
    expect((await local('/decide/?v=3', { method: 'POST', body: flagsBody })).status).toBe(404)
    expect((await local('/flags/?v=2', { method: 'POST', body: flagsBody })).status).toBe(200)
    const config = await local(`/array/${LOCAL_POSTHOG_KEY}/config`)
    expect(config.status).toBe(200)
    expect(await config.json()).toMatchObject({ sessionRecording: { endpoint: '/s/' } })
    expect(host.requests()).toEqual([])
  })
})

describe('passes back only the content types its endpoint serves', () => {
  it('does not pass an HTML page through, from any endpoint', async () => {
    host.answerWith(() => ({ type: 'text/html; charset=utf-8', body: '<!doctype html><form action="/login">' }))
    for (const path of ['/e/', '/flags/?v=2', `/array/${KEY}/config`, `/array/${KEY}/config.js`, '/static/lazy-recorder.js']) {
      const res = await proxy(path, path.startsWith('/e') || path.startsWith('/flags') ? { method: 'POST', body: '{}' } : {})
      expect(res.status, path).toBe(502)
      expect(res.headers.get('content-type'), path).toBeNull()
      expect(await res.text(), path).toBe('')
    }
    expect(host.requests()).toHaveLength(5)
  })

  it('does not serve JSON as a script, nor a body without a content type', async () => {
    host.answerWith(() => ({ type: 'application/json', body: '{"alert":1}' }))
    expect((await proxy('/static/lazy-recorder.js')).status).toBe(502)
    expect((await proxy(`/array/${KEY}/config.js`)).status).toBe(502)
    host.answerWith(() => ({ body: 'something' }))
    expect((await proxy('/e/', { method: 'POST', body: '{}' })).status).toBe(502)
  })

  it('passes PostHog’s own answers: JSON with parameters, plain-text capture errors, empty ones', async () => {
    host.answerWith(() => ({ type: 'application/json; charset=utf-8', body: '{"flags":{}}' }))
    const flags = await proxy('/flags/?v=2', { method: 'POST', body: '{}' })
    expect([flags.status, await flags.text()]).toEqual([200, '{"flags":{}}'])
    expect(flags.headers.get('x-content-type-options')).toBe('nosniff')

    host.answerWith(() => ({ status: 400, type: 'text/plain; charset=utf-8', body: 'failed to decode request: bad gzip' }))
    const refused = await proxy('/e/', { method: 'POST', body: 'x' })
    expect([refused.status, await refused.text()]).toEqual([400, 'failed to decode request: bad gzip'])

    host.answerWith(() => ({ status: 204 }))
    expect((await proxy('/e/', { method: 'POST', body: '{}' })).status).toBe(204)
    host.answerWith(() => ({ status: 304, headers: { etag: '"v1"' } }))
    const notModified = await proxy('/static/lazy-recorder.js', { headers: { 'if-none-match': '"v1"' } })
    expect([notModified.status, notModified.headers.get('etag')]).toEqual([304, '"v1"'])
    expect(host.requests().at(-1)?.headers['if-none-match']).toBe('"v1"')
  })

  it('keeps a redirect’s status and in-host location, never its body', async () => {
    host.answerWith(() => ({ status: 302, type: 'text/html', body: '<a href="/login/">login</a>', headers: { location: '/login/?next=/e/' } }))
    const res = await proxy('/e/', { method: 'POST', body: '{}' })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/_ox/p/login/?next=/e/')
    expect(await res.text()).toBe('')
    host.answerWith(() => ({ status: 302, headers: { location: 'https://evil.test/' } }))
    expect((await proxy('/e/', { method: 'POST', body: '{}' })).headers.get('location')).toBeNull()
  })
})

describe('the list itself', () => {
  it('maps scripts and remote config to the assets host and the API to the API host', () => {
    expect(posthogRoute('/static/lazy-recorder.js', KEY)?.host).toBe('assets')
    expect(posthogRoute(`/array/${KEY}/config`, KEY)?.host).toBe('assets')
    expect(posthogRoute('/e/', KEY)?.host).toBe('api')
    expect(posthogRoute('/e', KEY)?.host).toBe('api')
    expect(posthogRoute('/flags/', KEY)?.types).toContain('application/json')
    expect(posthogRoute(`/array/${KEY}/config.js`, KEY)?.types).toEqual(expect.arrayContaining(['application/javascript', 'text/javascript']))
    expect(posthogRoute(`/array/${KEY}/config.js`, 'phc_other_project1')).toBeUndefined()
  })
})
