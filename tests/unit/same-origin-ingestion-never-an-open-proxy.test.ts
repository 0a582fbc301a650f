import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { assetsHost, envelopeDsn, posthogProxy, sentryTunnel } from '@/lib/observability/server/proxy'
import { fakeIngestForFile, setKitEnv } from '../support/kit-env'
import { startRecordingHost } from '../support/recording-host'

function proxy(path: string, init: RequestInit & { segments?: string[] } = {}) {
  const url = new URL(path, 'http://app.test')
  const segments =
    init.segments ??
    url.pathname
      .replace(/^\/_ox\/p\//, '')
      .split('/')
      .filter(Boolean)
  return posthogProxy(new Request(url, init), { params: Promise.resolve({ path: segments }) })
}

function envelope(dsn: string | undefined): string {
  const header = JSON.stringify({ event_id: 'a'.repeat(32), sent_at: new Date().toISOString(), ...(dsn ? { dsn } : {}) })
  const item = JSON.stringify({ event_id: 'a'.repeat(32), message: 'tunnelled', level: 'error', platform: 'javascript' })
  return `${header}\n${JSON.stringify({ type: 'event' })}\n${item}\n`
}

const fake = fakeIngestForFile()

describe('PostHog reverse proxy (/_ox/p)', () => {
  it('answers 404 while PostHog is off', async () => {
    setKitEnv({})
    expect((await proxy('/_ox/p/e/', { method: 'POST', body: '{}' })).status).toBe(404)
    expect(fake.requests()).toEqual([])
  })

  it('forwards events to POSTHOG_HOST with the trailing slash, without the browser’s cookies', async () => {
    setKitEnv({ POSTHOG_API_KEY: 'phc_proxykey12345678', POSTHOG_HOST: fake.posthogHost })
    const body = gzipSync(JSON.stringify({ api_key: 'phc_proxykey12345678', batch: [{ event: 'proxied', properties: { distinct_id: 'd1' } }] }))
    const res = await proxy('/_ox/p/e/?retry_count=0', {
      method: 'POST',
      body,
      headers: { 'content-type': 'text/plain', cookie: 'session=secret; ph_x=1', authorization: 'Bearer nope', 'x-forwarded-for': '203.0.113.7, 10.0.0.1' },
    })
    expect(res.status).toBe(200)
    const [req] = fake.requests()
    expect(req?.path).toBe('/e/')
    expect(req?.search).toBe('?retry_count=0')
    expect(req?.headers.cookie).toBeUndefined()
    expect(req?.headers.authorization).toBeUndefined()
    // The client wrote that header itself; without trusted proxies it is not passed on.
    expect(req?.headers['x-forwarded-for']).toBeUndefined()
    expect(fake.events().map((e) => e.event)).toEqual(['proxied'])
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('serves scripts and remote config through the proxy', async () => {
    setKitEnv({ POSTHOG_API_KEY: 'phc_proxykey12345678', POSTHOG_HOST: fake.posthogHost })
    const script = await proxy('/_ox/p/static/lazy-recorder.js')
    expect(script.status).toBe(200)
    expect((await script.text()).length).toBeGreaterThan(1000)
    const config = await proxy('/_ox/p/array/phc_proxykey12345678/config.js')
    expect(config.status).toBe(200)
    expect(await config.text()).toContain('_POSTHOG_REMOTE_CONFIG')
  })

  it('refuses traversal, encoded separators and absolute URLs as unknown paths instead of forwarding them', async () => {
    setKitEnv({ POSTHOG_API_KEY: 'phc_proxykey12345678', POSTHOG_HOST: fake.posthogHost })
    for (const segments of [['..', 'etc', 'passwd'], ['.'], ['e', '..'], ['https:', '', 'evil.test'], ['e%2F..%2F'], ['a/b'], ['a\\b'], []]) {
      const res = await proxy('/_ox/p/x', { segments })
      expect(res.status, JSON.stringify(segments)).toBe(404)
    }
    expect(fake.requests()).toEqual([])
  })

  it('maps PostHog Cloud to its assets host and leaves other hosts alone', () => {
    expect(assetsHost('https://us.i.posthog.com')).toBe('https://us-assets.i.posthog.com')
    expect(assetsHost('https://eu.i.posthog.com')).toBe('https://eu-assets.i.posthog.com')
    expect(assetsHost('https://posthog.example.com')).toBe('https://posthog.example.com')
  })

  it('answers 502, not an exception, when PostHog is unreachable', async () => {
    setKitEnv({ POSTHOG_API_KEY: 'phc_proxykey12345678', POSTHOG_HOST: 'http://127.0.0.1:9' })
    expect((await proxy('/_ox/p/e/', { method: 'POST', body: '{}' })).status).toBe(502)
  })
})

describe('Sentry tunnel (/_ox/s)', () => {
  const tunnel = (body: string | Uint8Array<ArrayBuffer>) => sentryTunnel(new Request('http://app.test/_ox/s', { method: 'POST', body }))

  it('answers 404 while Sentry is off', async () => {
    setKitEnv({})
    expect((await tunnel(envelope(fake.sentryDsn))).status).toBe(404)
  })

  it('forwards an envelope whose dsn header is the configured DSN', async () => {
    setKitEnv({ SENTRY_DSN: fake.sentryDsn })
    const res = await tunnel(envelope(fake.sentryDsn))
    expect(res.status).toBe(200)
    await fake.waitFor((f) => f.sentryEvents().length === 1)
  })

  it('refuses any other DSN, a missing one and a non-envelope, without forwarding', async () => {
    setKitEnv({ SENTRY_DSN: fake.sentryDsn })
    expect((await tunnel(envelope(fake.sentryDsn.replace('testkey', 'otherkey')))).status).toBe(403)
    expect((await tunnel(envelope('http://testkey@evil.test/42'))).status).toBe(403)
    expect((await tunnel(envelope(undefined))).status).toBe(400)
    expect((await tunnel('not an envelope')).status).toBe(400)
    expect(fake.requests()).toEqual([])
  })

  it('forwards the envelope alone: no client address, cookies or page URL, and no upstream page back', async () => {
    const relay = await startRecordingHost()
    try {
      const dsn = `http://testkey@${relay.url.slice('http://'.length)}/42`
      setKitEnv({ SENTRY_DSN: dsn })
      const body = envelope(dsn)
      const sent = sentryTunnel(
        new Request('http://app.test/_ox/s', {
          method: 'POST',
          body,
          headers: {
            'x-forwarded-for': '6.6.6.6',
            'cf-connecting-ip': '6.6.6.6',
            cookie: 'session=secret',
            referer: 'https://app.test/account?token=abc',
            origin: 'https://app.test',
          },
        }),
      )
      expect((await sent).status).toBe(200)
      const [forwarded] = relay.requests()
      expect(forwarded?.path).toBe('/api/42/envelope/')
      expect(forwarded?.body.toString()).toBe(body)
      for (const header of ['x-forwarded-for', 'x-sentry-forwarded-for', 'cf-connecting-ip', 'cookie', 'referer', 'origin']) {
        expect(forwarded?.headers, header).not.toHaveProperty(header)
      }

      relay.answerWith(() => ({ status: 200, type: 'text/html', body: '<!doctype html><title>Sign in</title>' }))
      const page = await tunnel(envelope(dsn))
      expect([page.status, await page.text()]).toEqual([502, ''])
      relay.answerWith(() => ({
        status: 429,
        type: 'application/json',
        body: '{"detail":"rate limited"}',
        headers: { 'x-sentry-rate-limits': '60::organization' },
      }))
      const limited = await tunnel(envelope(dsn))
      expect([limited.status, limited.headers.get('x-sentry-rate-limits')]).toEqual([429, '60::organization'])
    } finally {
      await relay.close()
    }
  })

  it('refuses oversized bodies', async () => {
    setKitEnv({ SENTRY_DSN: fake.sentryDsn })
    const big = new Uint8Array(10 * 1024 * 1024 + 1)
    expect((await tunnel(big)).status).toBe(413)
  })

  it('reads the dsn from the first line only', () => {
    expect(envelopeDsn(new TextEncoder().encode(envelope('http://k@h/1')))).toBe('http://k@h/1')
    expect(envelopeDsn(new TextEncoder().encode('{"dsn":1}\n'))).toBeUndefined()
  })
})
