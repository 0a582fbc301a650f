import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { PostHog } from 'posthog-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VIEWER_MARKER } from '@/lib/observability/server/local/viewer-page'
import { LOCAL_POSTHOG_KEY } from '@/lib/observability/shared/config'
import type { LocalEventSummary } from '@/lib/observability/server/local/local-event'
import type { TimelineGroup } from '@/lib/observability/server/local/local-timeline'
import { eventually } from '../support/eventually'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { ROOT, TEST_DIST_DIR, startNext, type NextServer } from '../support/next-server'

/**
 * Local mode on the production build: `OBSERVABILITY_LOCAL=1` with `next start`.
 * The real server SDKs post to the app's own routes; what they send is decoded, kept on disk
 * (bounded, across restarts) and listed by the JSON feed behind `/observability`.
 */

interface Feed {
  events: LocalEventSummary[]
  groups: TimelineGroup[]
}

const MAX_EVENTS = 60

async function feed(app: NextServer): Promise<Feed> {
  const res = await fetch(`${app.url}/_ox/local/events`)
  expect(res.status).toBe(200)
  return (await res.json()) as Feed
}

async function waitForFeed<T>(app: NextServer, pick: (f: Feed) => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const found = await eventually(() => feed(app), pick, `${what} in the local feed`, { timeoutMs, intervalMs: 250 })
  return pick(found) as T
}

const typesIn = (f: Feed, group: TimelineGroup, backend: string) =>
  group.events
    .map((m) => f.events.find((e) => e.id === m.id))
    .filter((e) => e?.backend === backend)
    .map((e) => e?.type)

function storedText(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('')
}

describe('local mode keeps every event on this machine (OBSERVABILITY_LOCAL=1)', () => {
  let fake: FakeIngest
  let dir: string
  let app: NextServer
  const env = () => ({
    OBSERVABILITY_LOCAL: '1',
    OBSERVABILITY_LOCAL_DIR: dir,
    OBSERVABILITY_LOCAL_MAX_EVENTS: String(MAX_EVENTS),
    DEBUG: '1',
    POSTHOG_HOST: fake.posthogHost,
  })

  beforeAll(async () => {
    fake = await startFakeIngest()
    dir = mkdtempSync(join(tmpdir(), 'ox-local-int-'))
    app = await startNext(env())
  })
  afterAll(async () => {
    await app?.stop()
    await fake?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('shows the server SDKs’ real traffic grouped by request id, PostHog and Sentry side by side', async () => {
    const res = await fetch(`${app.url}/api/debug/throw?kind=ProviderError&msg=local%20boom`, { headers: { 'x-request-id': 'local-int-1' } })
    expect(res.status).toBe(500)
    const [f, group] = await waitForFeed(
      app,
      (f) => {
        const g = f.groups.find((g) => g.id === 'local-int-1')
        // api_request and api_error travel in posthog-node's next batch, $exception at once.
        const posthog = g ? typesIn(f, g, 'posthog') : []
        return g && typesIn(f, g, 'sentry').includes('error') && ['api_request', 'api_error', '$exception'].every((t) => posthog.includes(t))
          ? ([f, g] as const)
          : undefined
      },
      'the failing request’s events',
    )
    expect(group.kind).toBe('request')
    expect(typesIn(f, group, 'posthog')).toEqual(expect.arrayContaining(['api_request', 'api_error', '$exception']))
    expect(f.events.find((e) => e.backend === 'sentry' && e.type === 'error' && e.requestId === 'local-int-1')).toMatchObject({
      source: 'server',
      title: 'ProviderError: local boom',
      error: true,
    })
    expect(fake.requests()).toEqual([])
  })

  it('returns an event’s full decoded data on demand', async () => {
    const f = await feed(app)
    const sentry = f.events.find((e) => e.backend === 'sentry' && e.requestId === 'local-int-1' && e.type === 'error')
    const res = await fetch(`${app.url}/_ox/local/events/${sentry?.id}`)
    const stored = (await res.json()) as { data: { items: Array<{ type: string; payload: { tags?: Record<string, string> } }> } }
    expect(stored.data.items[0]).toMatchObject({ type: 'event', payload: { tags: { request_id: 'local-int-1', error_type: 'provider_error' } } })
    expect((await fetch(`${app.url}/_ox/local/events/00000000-0000-0000-0000-000000000000`)).status).toBe(404)
  })

  it('answers remote config, /flags and lazy scripts as a PostHog project with replay and exception capture on', async () => {
    const script = await fetch(`${app.url}/_ox/p/array/${LOCAL_POSTHOG_KEY}/config.js`)
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toMatch(/javascript/)
    const js = await script.text()
    expect(js).toContain('window._POSTHOG_REMOTE_CONFIG')
    expect(js).toContain('"sessionRecording":{"endpoint":"/s/"}')
    expect(js).toContain('"autocaptureExceptions":true')
    expect(await (await fetch(`${app.url}/_ox/p/array/${LOCAL_POSTHOG_KEY}/config`)).json()).toMatchObject({ autocaptureExceptions: true })

    const flags = await fetch(`${app.url}/_ox/p/flags/?v=2`, { method: 'POST', body: JSON.stringify({ token: LOCAL_POSTHOG_KEY, distinct_id: 'd1' }) })
    expect(flags.status).toBe(200)
    expect(await flags.json()).toMatchObject({ errorsWhileComputingFlags: false, sessionRecording: { endpoint: '/s/' }, featureFlags: expect.any(Object) })

    const recorder = await fetch(`${app.url}/_ox/p/static/1.449.2/lazy-recorder.js`)
    expect(recorder.status).toBe(200)
    expect((await recorder.text()).length).toBeGreaterThan(10_000)
    expect((await fetch(`${app.url}/_ox/p/static/no-such-script.js`)).status).toBe(404)
    expect([400, 404]).toContain((await fetch(`${app.url}/_ox/p/static/..%2F..%2Fpackage.json`)).status)
    expect([400, 404]).toContain((await fetch(`${app.url}/_ox/p/static/package.json`)).status)
  })

  it('answers a malformed body with 400 and stores nothing of it', async () => {
    const before = (await feed(app)).events.length
    const marker = 'malformed-marker-7d1'
    const bad: Array<[string, BodyInit, Record<string, string>?]> = [
      ['/_ox/p/batch/', `{"api_key":"${LOCAL_POSTHOG_KEY}","batch":[{"event":"${marker}"`],
      ['/_ox/p/batch/', JSON.stringify({ api_key: LOCAL_POSTHOG_KEY, batch: [{ event: marker, properties: {} }] })],
      ['/_ox/p/e/', new Uint8Array(Buffer.concat([gzipSync(`[{"event":"${marker}"}]`).subarray(0, 12)])), { 'content-encoding': 'gzip' }],
      ['/_ox/s', `{"dsn":"http://local@127.0.0.1/_ox/s/1"}\n{"type":"event","length":500}\n{"message":"${marker}"}`],
      ['/_ox/s/api/1/envelope/?sentry_key=local', `not an envelope ${marker}`],
    ]
    for (const [path, body, headers] of bad) {
      const res = await fetch(`${app.url}${path}`, { method: 'POST', body, headers })
      expect(res.status, path).toBe(400)
    }
    // A well-formed event sent last: the store keeps events in arrival order, so once this one
    // is listed, anything of the malformed bodies that was going to be stored would be too.
    const control = 'malformed-control-7d1'
    const ok = await fetch(`${app.url}/_ox/p/batch/`, {
      method: 'POST',
      body: JSON.stringify({ api_key: LOCAL_POSTHOG_KEY, batch: [{ event: control, properties: { distinct_id: 'd-1' } }] }),
    })
    expect(ok.status).toBe(200)
    await waitForFeed(app, (f) => f.events.some((e) => e.type === control), 'the well-formed event sent last')
    const after = await feed(app)
    expect(JSON.stringify(after)).not.toContain(marker)
    expect(storedText(dir)).not.toContain(marker)
    expect(after.events.length).toBeGreaterThanOrEqual(before)
  })

  it('never grows past its bound, dropping the oldest events first', async () => {
    const ph = new PostHog(LOCAL_POSTHOG_KEY, { host: `${app.url}/_ox/p`, flushAt: 25, flushInterval: 0 })
    for (let i = 0; i < 300; i++) ph.capture({ distinctId: 'bound-test', event: 'bound_test', properties: { i } })
    await ph.shutdown(10_000)
    const kept = (): number[] =>
      readdirSync(dir)
        .flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean))
        .map((line) => (JSON.parse(line) as { data: { properties?: { i?: number } } }).data.properties?.i)
        .filter((i): i is number => typeof i === 'number')
    await eventually(kept, (i) => i.includes(299), 'the last of 300 events on disk')
    expect(kept()).toContain(299)
    expect(kept()).not.toContain(0)
    const lines = readdirSync(dir).flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean))
    expect(lines.length).toBeLessThanOrEqual(MAX_EVENTS)
    expect((await feed(app)).events.length).toBeLessThanOrEqual(MAX_EVENTS)
    expect(fake.requests()).toEqual([])
  })

  it('keeps the events across a restart', async () => {
    const before = (await feed(app)).events.map((e) => e.id)
    expect(before.length).toBeGreaterThan(0)
    await app.stop()
    app = await startNext(env())
    const after = (await feed(app)).events.map((e) => e.id)
    expect(after).toEqual(expect.arrayContaining(before))
  })
})

describe('outside local mode nothing of it answers', () => {
  const LOCAL_ROUTES: Array<[string, string]> = [
    ['GET', '/observability'],
    ['GET', '/_ox/local/events'],
    ['GET', '/_ox/local/events/00000000-0000-0000-0000-000000000000'],
    ['POST', '/_ox/s/api/1/envelope/?sentry_key=local'],
  ]

  it('answers 404 on every local route with no keys set', async () => {
    const app = await startNext({})
    try {
      for (const [method, path] of [
        ...LOCAL_ROUTES,
        ['POST', '/_ox/p/batch/'],
        ['POST', '/_ox/s'],
        ['GET', `/_ox/p/array/${LOCAL_POSTHOG_KEY}/config.js`],
      ] as const) {
        expect((await fetch(`${app.url}${path}`, { method, body: method === 'POST' ? '{}' : undefined })).status, `${method} ${path}`).toBe(404)
      }
    } finally {
      await app.stop()
    }
  })

  it('answers 404 on every local route with real keys set', async () => {
    const fake = await startFakeIngest()
    const app = await startNext({ POSTHOG_API_KEY: 'phc_runtimekey1234567', POSTHOG_HOST: fake.posthogHost, SENTRY_DSN: fake.sentryDsn })
    try {
      for (const [method, path] of LOCAL_ROUTES) {
        expect((await fetch(`${app.url}${path}`, { method, body: method === 'POST' ? '{}' : undefined })).status, `${method} ${path}`).toBe(404)
      }
    } finally {
      await app.stop()
      await fake.close()
    }
  })

  it('ships none of the viewer in the client bundle', () => {
    const files = (d: string): string[] => readdirSync(d).flatMap((name) => (statSync(join(d, name)).isDirectory() ? files(join(d, name)) : [join(d, name)]))
    const grep = (d: string, needle: string) => files(d).filter((f) => readFileSync(f).includes(needle))
    // The marker is real: the server build has it, so its absence from static/ means something.
    expect(grep(join(ROOT, TEST_DIST_DIR, 'server'), VIEWER_MARKER).length).toBeGreaterThan(0)
    expect(grep(join(ROOT, TEST_DIST_DIR, 'static'), VIEWER_MARKER)).toEqual([])
    expect(grep(join(ROOT, TEST_DIST_DIR, 'static'), '/_ox/local/events')).toEqual([])
  })
})
