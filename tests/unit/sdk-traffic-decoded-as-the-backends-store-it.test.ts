import { runInNewContext } from 'node:vm'
import { brotliCompressSync, deflateSync, gunzipSync, gzipSync } from 'node:zlib'
import { NodeClient, Scope, defaultStackParser, makeNodeTransport } from '@sentry/node'
import { PostHog } from 'posthog-node'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  DecodeError,
  type IngestRequest,
  type ReplayRecording,
  decodeIngestRequest,
  decompressLz64,
  searchableText,
} from '../../lib/observability/server/local/ingest'
import { DEFAULT_REMOTE_CONFIG, type FakeIngest, startFakeIngest, startRefusingPort } from '../support/fake-ingest'

let fake: FakeIngest

beforeAll(async () => {
  fake = await startFakeIngest({
    flags: { 'new-checkout': true, 'pricing-test': 'variant-b', off: false },
    flagPayloads: { 'new-checkout': { color: 'green' } },
  })
})
afterAll(() => fake.close())
beforeEach(() => fake.clear())
afterEach(() => fake.setMode('ok'))

async function post(path: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(fake.url + path, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

const gz = (value: unknown) => gzipSync(Buffer.from(JSON.stringify(value)))
const latin1Gzip = (value: unknown) => gz(value).toString('latin1')
const request = (over: Partial<IngestRequest>): IngestRequest => ({ method: 'POST', path: '/e/', search: '', headers: {}, body: new Uint8Array(), ...over })

function envelope(header: object, items: Array<[object, Uint8Array | string]>, trailingNewline = true): Buffer {
  const parts: Buffer[] = [Buffer.from(JSON.stringify(header) + '\n')]
  items.forEach(([itemHeader, payload], i) => {
    parts.push(Buffer.from(JSON.stringify(itemHeader) + '\n'), Buffer.from(payload))
    if (i < items.length - 1 || trailingNewline) parts.push(Buffer.from('\n'))
  })
  return Buffer.concat(parts)
}

describe('the SDKs’ traffic is decoded as the backends would store it', () => {
  describe('PostHog traffic is decoded to the events PostHog would store', () => {
    it('posthog-node gzip batches arrive with every property intact', async () => {
      const client = new PostHog('phc_testkey123456', { host: fake.url, flushAt: 1, flushInterval: 0 })
      client.capture({ distinctId: 'user-1', event: 'order_placed', properties: { order_id: 'o-77', total: 42.5, nested: { a: [1, 2] } } })
      await client.shutdown()

      const [event] = fake.events()
      expect(event).toMatchObject({
        event: 'order_placed',
        distinct_id: 'user-1',
        api_key: 'phc_testkey123456',
        properties: { order_id: 'o-77', total: 42.5, nested: { a: [1, 2] }, $lib: 'posthog-node' },
      })
      expect(event?.uuid).toMatch(/^[0-9a-f-]{36}$/)
      const raw = fake.requests().find((r) => r.kind === 'posthog-events')
      expect(raw?.path).toBe('/batch/')
      expect(raw?.headers['content-encoding']).toBe('gzip')
      expect([...(raw?.body.subarray(0, 2) ?? [])]).toEqual([0x1f, 0x8b])
    })

    it('posthog-js gzip bodies are recognised by magic bytes alone', async () => {
      const body = gz({
        api_key: 'phc_js',
        sent_at: '2026-01-01T00:00:00.000Z',
        batch: [
          {
            uuid: 'u-1',
            event: '$pageview',
            timestamp: '2026-01-01T00:00:00.000Z',
            properties: { distinct_id: 'anon-1', token: 'phc_js', $current_url: 'http://x/a' },
          },
        ],
      })
      const { status, json } = await post('/e/', body, { 'content-type': 'text/plain' })
      expect([status, json]).toEqual([200, { status: 'Ok' }])
      expect(fake.events()).toEqual([
        {
          uuid: 'u-1',
          event: '$pageview',
          distinct_id: 'anon-1',
          api_key: 'phc_js',
          timestamp: '2026-01-01T00:00:00.000Z',
          sent_at: '2026-01-01T00:00:00.000Z',
          properties: { distinct_id: 'anon-1', token: 'phc_js', $current_url: 'http://x/a' },
        },
      ])
    })

    it('base64 data= forms are decoded, including UTF-8 and a "+" mangled into a space', async () => {
      const payload = [{ event: 'ünïcödé ✓', properties: { distinct_id: 'd-1', token: 'phc_b64', note: '>>>??' } }]
      const b64 = Buffer.from(JSON.stringify(payload)).toString('base64')
      expect(b64).toContain('+')
      const res = await post('/i/v0/e?compression=base64', `data=${encodeURIComponent(b64)}`, { 'content-type': 'application/x-www-form-urlencoded' })
      expect(res.status).toBe(200)
      await post('/e', `data=${b64}&compression=base64`, { 'content-type': 'application/x-www-form-urlencoded' })
      expect(fake.events().map((e) => [e.event, e.api_key, e.properties.note])).toEqual([
        ['ünïcödé ✓', 'phc_b64', '>>>??'],
        ['ünïcödé ✓', 'phc_b64', '>>>??'],
      ])
    })

    it('lz64 is decoded only when hinted, as legacy posthog-js sent it', async () => {
      const lz =
        'N4IghgDglg+g1gUwJ4gFwggCwMYwDYBeIANCAEZgAu2maA2qAgG4IB2laIhMzbHpEAE4B7CAkGUoCAM5pQAEyjTJrbJRhR5nAK4BaQiRCVhiVpyy4DpaQmyCEHdIV027D3YErgEAF9vAXW8gA=='
      expect(JSON.parse(decompressLz64(lz))).toMatchObject({ api_key: 'phc_lz' })
      const hinted = await post('/batch/?compression=lz64', `data=${encodeURIComponent(lz)}`, { 'content-type': 'application/x-www-form-urlencoded' })
      expect(hinted.status).toBe(200)
      expect(fake.events()[0]).toMatchObject({ event: 'lz_event', distinct_id: 'u-lz', properties: { secret: 'lz-secret-Ω' } })
      const unhinted = await post('/batch/', lz, { 'content-type': 'text/plain' })
      expect(unhinted.status).toBe(400)
    })

    it('single events, arrays and /engage/ bodies resolve event name, distinct id and token', () => {
      const single = decodeIngestRequest(
        request({ path: '/capture', body: Buffer.from(JSON.stringify({ event: 'e1', distinct_id: 7, api_key: 'phc_a', properties: {} })) }),
      )
      expect(single).toMatchObject({ kind: 'posthog-events', endpoint: '/capture', events: [{ event: 'e1', distinct_id: '7', api_key: 'phc_a' }] })
      const engage = decodeIngestRequest(
        request({ path: '/engage/', body: Buffer.from(JSON.stringify([{ $distinct_id: 'p-1', $token: 'phc_e', $set: { plan: 'pro' } }])) }),
      )
      expect(engage).toMatchObject({ events: [{ event: '$identify', distinct_id: 'p-1', api_key: 'phc_e', $set: { plan: 'pro' } }] })
      const query = decodeIngestRequest(
        request({
          method: 'GET',
          path: '/e/',
          search: `?data=${encodeURIComponent(Buffer.from('{"event":"g","properties":{"distinct_id":"q","token":"t"}}').toString('base64'))}`,
        }),
      )
      expect(query).toMatchObject({ events: [{ event: 'g', distinct_id: 'q', api_key: 't' }] })
    })

    it('routes mounted under a basePath decode exactly like the root routes', () => {
      const body = Buffer.from('{"event":"b","properties":{"distinct_id":"d"}}')
      expect(decodeIngestRequest(request({ path: '/api/ingest/e/', body }), { basePath: '/api/ingest' })).toMatchObject({
        kind: 'posthog-events',
        endpoint: '/e',
      })
      expect(decodeIngestRequest(request({ path: '/api/ingestion/e/', body }), { basePath: '/api/ingest' })).toBeUndefined()
    })

    it('$snapshot per-event compression (cv 2024-10) is fully inflated to plain rrweb events', async () => {
      const full = {
        type: 2,
        timestamp: 1,
        data: { node: { type: 0, id: 1, childNodes: [{ type: 3, id: 2, textContent: 'SECRET-full-snapshot' }] }, initialOffset: { top: 0, left: 0 } },
      }
      const mutation = {
        type: 3,
        timestamp: 2,
        data: {
          source: 0,
          texts: [{ id: 2, value: 'SECRET-mutation-text' }],
          attributes: [{ id: 1, attributes: { class: 'x' } }],
          removes: [],
          adds: [{ parentId: 1, nextId: null, node: { type: 3, id: 9, textContent: 'SECRET-added' } }],
        },
      }
      const css = { type: 3, timestamp: 3, data: { source: 8, id: 4, adds: [{ rule: '.SECRET-rule{}', index: 0 }] } }
      const input = { type: 3, timestamp: 4, data: { source: 5, id: 7, text: '****', isChecked: false } }
      const wire = [
        { ...full, cv: '2024-10', data: latin1Gzip(full.data) },
        {
          ...mutation,
          cv: '2024-10',
          data: {
            source: 0,
            texts: latin1Gzip(mutation.data.texts),
            attributes: latin1Gzip(mutation.data.attributes),
            removes: latin1Gzip([]),
            adds: latin1Gzip(mutation.data.adds),
          },
        },
        { ...css, cv: '2024-10', data: { source: 8, id: 4, adds: latin1Gzip(css.data.adds) } },
        input,
      ]
      const body = gz([
        { event: '$snapshot', properties: { distinct_id: 'd', token: 'phc_s', $session_id: 's-1', $snapshot_data: wire }, timestamp: '2026-01-01T00:00:00Z' },
      ])
      expect(gunzipSync(body).toString('utf8')).not.toContain('SECRET')
      expect((await post('/s/', body, { 'content-type': 'text/plain' })).status).toBe(200)

      const [snapshot] = fake.events()
      expect(snapshot?.properties.$snapshot_data).toEqual([full, mutation, css, input])
      for (const secret of ['SECRET-full-snapshot', 'SECRET-mutation-text', 'SECRET-added', 'SECRET-rule']) {
        expect(searchableText(fake.events())).toContain(secret)
      }
    })

    it('/flags/ requests decode to token and distinct_id and get a v2 answer', async () => {
      const body = `data=${encodeURIComponent(Buffer.from(JSON.stringify({ token: 'phc_f', distinct_id: 'd-9', groups: {} })).toString('base64'))}`
      const { status, json } = await post('/flags/?v=2', body, { 'content-type': 'application/x-www-form-urlencoded' })
      expect(status).toBe(200)
      expect(fake.flagRequests()).toEqual([{ token: 'phc_f', distinct_id: 'd-9', groups: {} }])
      expect(json.featureFlags).toEqual({ 'new-checkout': true, 'pricing-test': 'variant-b', off: false })
      expect(json.flags).toMatchObject({
        'new-checkout': { key: 'new-checkout', enabled: true, variant: null, reason: { code: 'condition_match' }, metadata: { payload: '{"color":"green"}' } },
        'pricing-test': { enabled: true, variant: 'variant-b' },
        off: { enabled: false },
      })
      fake.setFlags({ later: true })
      expect((await post('/flags', JSON.stringify({ token: 'phc_f', distinct_id: 'd-9' }))).json.featureFlags).toEqual({ later: true })
    })

    it('posthog-node flag evaluation reads the fake /flags/ answer', async () => {
      fake.setFlags({ 'server-flag': 'blue', 'kill-switch': false }, { 'server-flag': { limit: 3 } })
      const client = new PostHog('phc_testkey123456', { host: fake.url, flushAt: 1, flushInterval: 0 })
      const flags = await client.evaluateFlags('user-2')
      expect([flags.getFlag('server-flag'), flags.isEnabled('kill-switch'), flags.getFlagPayload('server-flag')]).toEqual(['blue', false, { limit: 3 }])
      await client.shutdown()
      expect(fake.flagRequests()[0]).toMatchObject({ token: 'phc_testkey123456', distinct_id: 'user-2' })
    })
  })

  describe('Sentry envelopes are decoded byte-exactly', () => {
    it('a @sentry/node exception arrives with its type, value and query auth', async () => {
      const client = new NodeClient({ dsn: fake.sentryDsn, transport: makeNodeTransport, stackParser: defaultStackParser, integrations: [] })
      const scope = new Scope()
      scope.setClient(client)
      client.init()
      scope.setTag('route', '/api/orders')
      scope.captureException(new TypeError('order total was NaN'))
      expect(await client.flush(5000)).toBe(true)

      const [item] = fake.sentryEvents()
      expect(item?.payload.exception?.values?.[0]).toMatchObject({ type: 'TypeError', value: 'order total was NaN' })
      expect(item?.payload.tags).toMatchObject({ route: '/api/orders' })
      const [env] = fake.sentry()
      expect(env?.auth).toEqual({ publicKey: 'testkey', projectId: '42', source: 'query' })
      expect(env?.header).toMatchObject({ event_id: item?.payload.event_id, sdk: { name: 'sentry.javascript.node' } })
      await client.close()
    })

    it('a large @sentry/node envelope is gzip-encoded on the wire and still decoded', async () => {
      const client = new NodeClient({
        dsn: fake.sentryDsn,
        transport: makeNodeTransport,
        stackParser: defaultStackParser,
        integrations: [],
        maxValueLength: 100_000,
      })
      const scope = new Scope()
      scope.setClient(client)
      client.init()
      scope.setContext('big', { blob: 'x'.repeat(40_000) + 'END-OF-BLOB' })
      scope.captureException(new Error('big one'))
      await client.flush(5000)
      const raw = fake.requests().find((r) => r.kind === 'sentry-envelope')
      expect(raw?.headers['content-encoding']).toBe('gzip')
      expect(searchableText(fake.sentryEvents())).toContain('END-OF-BLOB')
      await client.close()
    })

    it('a replay_recording (zlib, gzip or plain) and a binary length-framed attachment are split by byte length', async () => {
      const rrweb = [
        { type: 4, timestamp: 1, data: { href: 'http://x/' } },
        { type: 2, timestamp: 2, data: { node: { type: 0, childNodes: [{ type: 3, textContent: '*****' }] } } },
      ]
      const recording = (data: Uint8Array | string) => Buffer.concat([Buffer.from('{"segment_id":3}\n'), Buffer.from(data)])
      const attachment = Buffer.concat([Buffer.from([0x00, 0x0a, 0xff, 0x0a]), Buffer.from('ATTACHMENT-SECRET\n')])
      for (const [data, encoding] of [
        [deflateSync(JSON.stringify(rrweb)), 'zlib'],
        [gz(rrweb), 'gzip'],
        [JSON.stringify(rrweb), 'none'],
      ] as const) {
        fake.clear()
        const rec = recording(data)
        const body = envelope(
          { event_id: 'e'.repeat(32), sent_at: '2026-01-01T00:00:00Z', sdk: { name: 'sentry.javascript.nextjs', version: '11.1.0' } },
          [
            [{ type: 'replay_event' }, JSON.stringify({ type: 'replay_event', replay_id: 'r1', segment_id: 3 })],
            [{ type: 'replay_recording', length: rec.length }, rec],
            [{ type: 'attachment', length: attachment.length, filename: 'a.bin' }, attachment],
          ],
          false,
        )
        const { status, json } = await post('/api/42/envelope/?sentry_key=testkey&sentry_version=7', body)
        expect([status, json]).toEqual([200, { id: 'e'.repeat(32) }])
        const items = fake.sentry()[0]?.items ?? []
        expect(items.map((i) => i.type)).toEqual(['replay_event', 'replay_recording', 'attachment'])
        expect(items[1]?.payload as ReplayRecording).toEqual({ segment_id: 3, events: rrweb, encoding })
        expect(Buffer.from(items[2]?.payload as Uint8Array).equals(attachment)).toBe(true)
        expect(searchableText(items)).toContain('ATTACHMENT-SECRET')
      }
    })

    it('gzip, deflate and br Content-Encoding are removed before parsing', async () => {
      const body = envelope({ event_id: 'a'.repeat(32) }, [[{ type: 'event' }, JSON.stringify({ message: 'compressed hello' })]])
      const encodings: Array<[string, Uint8Array]> = [
        ['gzip', gzipSync(body)],
        ['deflate', deflateSync(body)],
        ['br', brotliCompressSync(body)],
      ]
      for (const [coding, bytes] of encodings) {
        expect((await post('/api/42/envelope/?sentry_key=testkey', bytes, { 'content-encoding': coding })).status).toBe(200)
      }
      expect(fake.sentryEvents().map((i) => i.payload.message)).toEqual(['compressed hello', 'compressed hello', 'compressed hello'])
    })

    it('a tunnelled envelope is accepted on any path and authenticated from its dsn', async () => {
      const body = envelope({ event_id: 'b'.repeat(32), dsn: fake.sentryDsn }, [[{ type: 'event' }, '{"message":"via tunnel"}']])
      expect((await post('/monitoring-tunnel', body)).status).toBe(200)
      expect(fake.sentry()[0]?.auth).toEqual({ publicKey: 'testkey', projectId: '42', source: 'dsn' })
      expect(fake.requests()[0]?.kind).toBe('sentry-envelope')
      const wrong = envelope({ event_id: 'c'.repeat(32) }, [[{ type: 'event' }, '{}']])
      expect((await post('/api/7/envelope/', wrong, { 'x-sentry-auth': 'Sentry sentry_key=other, sentry_version=7' })).status).toBe(403)
      expect(fake.rejected()[0]?.reason).toMatch(/key=other project=7/)
    })
  })

  describe('malformed bodies are refused with 400 and never crash the fake', () => {
    const cases: Array<[string, string, Uint8Array | string, Record<string, string>, RegExp]> = [
      ['invalid JSON', '/e/', '{"event":', {}, /not valid JSON/],
      ['truncated gzip', '/batch/', gz({ event: 'x' }).subarray(0, 12), {}, /could not be decompressed/],
      ['gzip header on a plain body', '/batch/', '{"event":"x"}', { 'content-encoding': 'gzip' }, /could not be decompressed/],
      ['empty batch', '/batch/', '{"api_key":"k","batch":[]}', {}, /batch is empty/],
      ['event without distinct_id', '/e/', '{"event":"x","properties":{}}', {}, /no distinct_id/],
      ['form without data', '/e/?compression=base64', 'foo=bar', { 'content-type': 'application/x-www-form-urlencoded' }, /no data= field/],
      [
        'bad cv field',
        '/s/',
        JSON.stringify([{ event: '$snapshot', properties: { distinct_id: 'd', $snapshot_data: [{ type: 2, cv: '2024-10', data: 'not gzip' }] } }]),
        {},
        /\$snapshot_data\[0\]\.data/,
      ],
      ['flags without token', '/flags/', '{"distinct_id":"d"}', {}, /no token/],
      [
        'envelope length overflow',
        '/api/42/envelope/?sentry_key=testkey',
        '{}\n{"type":"attachment","length":99}\nabc',
        {},
        /declares 99 bytes but only 3 remain/,
      ],
      ['envelope item without type', '/api/42/envelope/?sentry_key=testkey', '{}\n{"length":1}\na', {}, /no string "type"/],
      ['replay without segment header', '/api/42/envelope/?sentry_key=testkey', '{}\n{"type":"replay_recording","length":2}\n[]', {}, /segment_id/],
    ]
    it.each(cases)('%s', async (_name, path, body, headers, reason) => {
      const { status } = await post(path, body, headers)
      expect(status).toBe(400)
      expect(fake.rejected()).toHaveLength(1)
      expect(fake.rejected()[0]?.reason).toMatch(reason)
      expect((await post('/e/', '{"event":"still-alive","properties":{"distinct_id":"d"}}')).status).toBe(200)
    })

    it('the decoder throws DecodeError with status 400 for callers outside the fake', () => {
      const bad = request({ body: Buffer.from('nope') })
      expect(() => decodeIngestRequest(bad)).toThrow(DecodeError)
      expect(() => decodeIngestRequest(bad)).toThrow(expect.objectContaining({ status: 400 }))
      expect(decodeIngestRequest(request({ path: '/unrelated', body: Buffer.from('{}') }))).toBeUndefined()
    })
  })

  describe('the fake behaves like the real services towards the SDKs', () => {
    it('serves remote config as JSON and as the config.js script posthog-js evaluates', async () => {
      const json = await (await fetch(`${fake.url}/array/phc_abc/config`)).json()
      expect(json).toEqual(DEFAULT_REMOTE_CONFIG)
      const res = await fetch(`${fake.url}/array/phc_abc/config.js`)
      expect(res.headers.get('content-type')).toMatch(/javascript/)
      const window: { _POSTHOG_REMOTE_CONFIG?: Record<string, { config: unknown; siteApps: unknown[] }> } = {}
      runInNewContext(await res.text(), { window })
      expect(window._POSTHOG_REMOTE_CONFIG?.phc_abc).toEqual({ config: DEFAULT_REMOTE_CONFIG, siteApps: [] })
    })

    it('serves posthog-js lazy bundles from node_modules under /static/ and /static/<version>/', async () => {
      for (const path of ['/static/lazy-recorder.js?v=1.449.2', '/static/1.449.2/exception-autocapture.js']) {
        const res = await fetch(fake.url + path)
        expect(res.status).toBe(200)
        expect(res.headers.get('content-type')).toMatch(/javascript/)
        expect((await res.text()).length).toBeGreaterThan(1000)
      }
      expect((await fetch(`${fake.url}/static/../package.json`)).status).toBe(404)
    })

    it('answers CORS preflights by mirroring origin and requested headers', async () => {
      const res = await fetch(`${fake.url}/e/`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-custom' },
      })
      expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
      expect(res.headers.get('access-control-allow-credentials')).toBe('true')
      expect(res.headers.get('access-control-allow-headers')).toBe('content-type,x-custom')
    })

    it('fail500 answers 500 and records nothing as ingested', async () => {
      fake.setMode('fail500')
      expect((await post('/e/', '{"event":"x","properties":{"distinct_id":"d"}}')).status).toBe(500)
      expect(fake.events()).toEqual([])
      expect(fake.requests()[0]).toMatchObject({ path: '/e/', status: 500 })
    })

    it('hang never answers, and close() still tears the connection down', async () => {
      const hanging = await startFakeIngest({ mode: 'hang' })
      const pending = fetch(`${hanging.url}/e/`, { method: 'POST', body: '{}' }).then(
        () => 'answered',
        () => 'failed',
      )
      await hanging.waitFor((f) => f.requests().length === 1)
      const timeout = await Promise.race([pending, new Promise((r) => setTimeout(() => r('still waiting'), 150))])
      expect(timeout).toBe('still waiting')
      await hanging.close()
      expect(await pending).toBe('failed')
    })

    it('a refusing port refuses connections', async () => {
      const { url } = await startRefusingPort()
      await expect(fetch(`${url}/e/`, { method: 'POST', body: '{}' })).rejects.toThrow()
    })

    it('waitFor times out with a list of what did arrive', async () => {
      await post('/e/', '{"event":"arrived","properties":{"distinct_id":"d"}}')
      await expect(fake.waitFor((f) => f.events().find((e) => e.event === 'never'), { timeoutMs: 100 })).rejects.toThrow(/PostHog events \(1\): arrived/)
    })

    it('sink mode answers 200 without decoding', async () => {
      const sink = await startFakeIngest({ sink: true })
      const res = await fetch(`${sink.url}/e/`, { method: 'POST', body: 'not even json' })
      expect(res.status).toBe(200)
      expect(sink.stats()).toEqual({ requests: 1, bytes: 13 })
      expect(sink.events()).toEqual([])
      await sink.close()
    })
  })
})
