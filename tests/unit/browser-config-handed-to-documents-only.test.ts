import { NextRequest, NextResponse, type NextFetchEvent } from 'next/server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { withObservability } from 'nextjs-observability-kit/edge'
import { BROWSER_CONFIG_COOKIE, browserCanReadServerTiming, decodeBrowserConfig } from '@/lib/observability/shared/browser-config'
import { resetObservability } from 'nextjs-observability-kit/testing'

const event = {} as NextFetchEvent
const saved = { ...process.env }

function request(headers: Record<string, string> = {}, url = 'http://app.test/page') {
  return new NextRequest(url, { headers })
}

beforeEach(() => {
  for (const k of ['POSTHOG_API_KEY', 'SENTRY_DSN']) delete process.env[k]
  resetObservability()
})
afterEach(() => {
  process.env = { ...saved }
  resetObservability()
})

describe('the middleware hands the browser its runtime config on document requests only, where the page can read it', () => {
  describe('which requests get it, and how', () => {
    it('sets no cookie when both backends are off', async () => {
      const res = await withObservability()(request({ 'sec-fetch-dest': 'document' }), event)
      expect(res.headers.get('set-cookie')).toBeNull()
    })

    it('clears a stale config cookie when both backends are off', async () => {
      const res = await withObservability()(request({ 'sec-fetch-dest': 'document', cookie: `${BROWSER_CONFIG_COOKIE}=old` }), event)
      expect(res.headers.get('set-cookie')).toMatch(/__ox=; Path=\/; Max-Age=0/)
    })

    const enable = () => {
      process.env.POSTHOG_API_KEY = 'phc_abcdefghijklmnop'
      process.env.SENTRY_DSN = 'https://pub123@o1.ingest.sentry.io/42'
      process.env.POSTHOG_HOST = 'https://us.i.posthog.com'
      resetObservability()
    }
    const expected = {
      ph: { key: 'phc_abcdefghijklmnop', api: '/_ox/p', ui: 'https://us.posthog.com' },
      se: { dsn: 'https://pub123@o1.ingest.sentry.io/42', tunnel: '/_ox/s' },
    }

    it('hands the public config and the document’s request id in Server-Timing on HTTPS, with no cookie', async () => {
      enable()
      const res = await withObservability()(request({ 'sec-fetch-dest': 'document', 'x-request-id': 'doc:1' }, 'https://app.test/page'), event)
      const entry = /(?:^|,\s*)ox;desc="([^"]+)"/.exec(res.headers.get('server-timing') ?? '')?.[1]
      expect(decodeBrowserConfig(entry)).toMatchObject({ rid: 'doc:1', ...expected })
      expect(res.headers.get('set-cookie')).toBeNull()
    })

    it('keeps the app’s own Server-Timing entries beside its own', async () => {
      enable()
      const app = () => {
        const res = NextResponse.next()
        res.headers.set('server-timing', 'auth;dur=3')
        return res
      }
      const res = await withObservability(app)(request({ 'sec-fetch-dest': 'document', 'x-forwarded-proto': 'https' }), event)
      expect(res.headers.get('server-timing')).toMatch(/^auth;dur=3, ox;desc="[^"]+"$/)
    })

    it('falls back to a short-lived cookie on plain HTTP to a non-local host, where Firefox hides Server-Timing', async () => {
      enable()
      const res = await withObservability()(request({ 'sec-fetch-dest': 'document', 'x-request-id': 'doc-1' }), event)
      const cookie = res.headers.get('set-cookie') ?? ''
      const value = /__ox=([^;]+)/.exec(cookie)?.[1]
      expect(decodeBrowserConfig(value)).toMatchObject({ rid: 'doc-1', ...expected })
      expect(cookie).toMatch(/Max-Age=120/)
      expect(res.headers.get('server-timing')).toBeNull()
    })

    it('hands nothing on fetch or RSC requests', async () => {
      process.env.POSTHOG_API_KEY = 'phc_abcdefghijklmnop'
      resetObservability()
      for (const headers of [{ 'sec-fetch-dest': 'empty' }, { rsc: '1', accept: 'text/x-component' }] as Record<string, string>[]) {
        for (const url of ['http://app.test/page', 'https://app.test/page']) {
          const res = await withObservability()(request(headers, url), event)
          expect(res.headers.get('set-cookie')).toBeNull()
          expect(res.headers.get('server-timing')).toBeNull()
        }
      }
    })
  })

  describe('Server-Timing is used only where every browser lets the page read it', () => {
    const can = (url: string, headers: Record<string, string> = {}) => browserCanReadServerTiming(new URL(url), new Headers(headers))

    it('says yes for HTTPS, directly or behind a TLS-terminating proxy', () => {
      expect(can('https://shop.example/')).toBe(true)
      expect(can('http://10.0.0.5:3000/', { host: 'shop.example', 'x-forwarded-proto': 'https' })).toBe(true)
      expect(can('http://10.0.0.5:3000/', { 'x-forwarded-proto': 'HTTPS, http' })).toBe(true)
    })

    it('says yes for loopback hosts, which browsers treat as secure over HTTP', () => {
      for (const host of ['localhost:3000', 'app.localhost', '127.0.0.1:8080', '127.1.2.3', '[::1]:3000']) {
        expect(can('http://127.0.0.1:3000/', { host }), host).toBe(true)
      }
    })

    it('says no for WebKit older than 16.4, which has no serverTiming: Safari, and any browser on older iOS', () => {
      const ua = {
        safari16_3: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.3 Safari/605.1.15',
        safari15: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6.1 Safari/605.1.15',
        ios16_3: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.3 Mobile/15E148 Safari/604.1',
        chromeOnIos15: 'Mozilla/5.0 (iPad; CPU OS 15_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/114.0.5735.124 Mobile/15E148 Safari/604.1',
      }
      for (const [name, agent] of Object.entries(ua)) expect(can('https://shop.example/', { 'user-agent': agent }), name).toBe(false)
      const current = {
        safari17: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
        safari16_4: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.4 Safari/605.1.15',
        ios18: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
        chrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36',
        firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
      }
      for (const [name, agent] of Object.entries(current)) expect(can('https://shop.example/', { 'user-agent': agent }), name).toBe(true)
    })

    it('says no for plain HTTP to any other host, and when a proxy says HTTP', () => {
      expect(can('http://127.0.0.1:3000/', { host: 'staging.internal:3000' })).toBe(false)
      expect(can('http://localhost:3000/', { host: 'localhost:3000', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'shop.example' })).toBe(false)
      expect(can('http://127.0.0.1:3000/', { host: '127.0.0.1.evil.example' })).toBe(false)
      expect(can('http://127.0.0.1:3000/', { host: 'localhost.evil.example' })).toBe(false)
    })
  })
})
