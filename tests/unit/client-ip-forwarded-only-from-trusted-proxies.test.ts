import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '@/lib/observability/shared/config'
import { posthogProxy } from '@/lib/observability/server/proxy'
import { clientIp } from '@/lib/observability/server/proxy/client-ip'
import { resetObservability } from 'nextjs-observability-kit/testing'
import { startRecordingHost, type RecordingHost } from '../support/recording-host'

/**
 * Anyone can write `X-Forwarded-For`. The PostHog proxy passes a client address on only when
 * `OBSERVABILITY_TRUSTED_PROXY_HOPS` says how many of the app's own proxies wrote the header,
 * and then only the address the outermost of them saw.
 */

const prod = { dev: false, packageName: 'shop', packageVersion: '1.2.3' }
const xff = (value: string) => new Headers({ 'x-forwarded-for': value })

describe('OBSERVABILITY_TRUSTED_PROXY_HOPS is parsed once and falls back safely', () => {
  it('trusts no proxy by default', () => {
    const { config, warnings } = parseConfig({}, prod)
    expect(config.trustedProxyHops).toBe(0)
    expect(warnings).toEqual([])
  })

  it('accepts a whole number of hops from 0 to 10', () => {
    expect(parseConfig({ OBSERVABILITY_TRUSTED_PROXY_HOPS: '1' }, prod).config.trustedProxyHops).toBe(1)
    expect(parseConfig({ OBSERVABILITY_TRUSTED_PROXY_HOPS: ' 2 ' }, prod).config.trustedProxyHops).toBe(2)
    expect(parseConfig({ OBSERVABILITY_TRUSTED_PROXY_HOPS: '10' }, prod).config.trustedProxyHops).toBe(10)
    expect(parseConfig({ OBSERVABILITY_TRUSTED_PROXY_HOPS: '0' }, prod).config.trustedProxyHops).toBe(0)
    expect(parseConfig({ OBSERVABILITY_TRUSTED_PROXY_HOPS: '' }, prod).warnings).toEqual([])
  })

  it('warns once, naming the variable, and trusts nothing for any other value', () => {
    for (const value of ['-1', '1.5', 'yes', 'true', '11', '1e9']) {
      const { config, warnings } = parseConfig({ OBSERVABILITY_TRUSTED_PROXY_HOPS: value }, prod)
      expect(config.trustedProxyHops, value).toBe(0)
      expect(warnings, value).toHaveLength(1)
      expect(warnings[0]).toContain(`OBSERVABILITY_TRUSTED_PROXY_HOPS=${JSON.stringify(value)} is invalid`)
      expect(warnings[0]).toContain('no client address is forwarded')
    }
  })
})

describe('clientIp', () => {
  it('gives nothing without trusted proxies, whatever the header says', () => {
    expect(clientIp(xff('203.0.113.7'), 0)).toBeUndefined()
    expect(clientIp(new Headers(), 1)).toBeUndefined()
  })

  it('takes the address the outermost trusted proxy saw: the hops-th entry from the right', () => {
    expect(clientIp(xff('203.0.113.7'), 1)).toBe('203.0.113.7')
    expect(clientIp(xff('6.6.6.6, 203.0.113.7'), 1)).toBe('203.0.113.7')
    expect(clientIp(xff('6.6.6.6,203.0.113.7, 10.0.0.2'), 2)).toBe('203.0.113.7')
    expect(clientIp(xff('6.6.6.6, 2001:db8::7'), 1)).toBe('2001:db8::7')
  })

  it('gives nothing when the chain is shorter than the proxies it should have passed', () => {
    expect(clientIp(xff('203.0.113.7'), 2)).toBeUndefined()
  })

  it('gives nothing for an entry that is not a plain address', () => {
    for (const value of ['unknown', 'evil.test', '203.0.113.7:5555', '[2001:db8::7]', '', ' , ', '6.6.6.6, ']) {
      expect(clientIp(xff(value), 1), value).toBeUndefined()
    }
  })
})

describe('through the proxy', () => {
  const KEY = 'phc_clientipkey12345'
  const saved = { ...process.env }
  let host: RecordingHost

  function configure(env: Record<string, string>) {
    for (const k of Object.keys(process.env)) if (/^(POSTHOG|SENTRY|OBSERVABILITY)_/.test(k)) delete process.env[k]
    Object.assign(process.env, { POSTHOG_API_KEY: KEY, POSTHOG_HOST: host.url, ...env })
    resetObservability()
  }

  async function forwardedFor(header: string | undefined): Promise<string | undefined> {
    host.clear()
    const request = new Request('http://app.test/_ox/p/e/', { method: 'POST', body: '{}', headers: header === undefined ? {} : { 'x-forwarded-for': header } })
    const res = await posthogProxy(request, { params: Promise.resolve({ path: ['e'] }) })
    expect(res.status).toBe(200)
    const received = host.requests()
    expect(received).toHaveLength(1)
    return received[0]?.headers['x-forwarded-for']
  }

  beforeAll(async () => {
    host = await startRecordingHost()
  })
  afterAll(async () => {
    process.env = { ...saved }
    resetObservability()
    await host.close()
  })
  beforeEach(() => host.clear())

  it('drops a client-supplied X-Forwarded-For by default', async () => {
    configure({})
    expect(await forwardedFor('203.0.113.7')).toBeUndefined()
    expect(await forwardedFor('6.6.6.6, 203.0.113.7')).toBeUndefined()
  })

  it('forwards the address the trusted proxies report, and only that one', async () => {
    configure({ OBSERVABILITY_TRUSTED_PROXY_HOPS: '1' })
    expect(await forwardedFor('6.6.6.6, 203.0.113.7')).toBe('203.0.113.7')
    expect(await forwardedFor(undefined)).toBeUndefined()
    configure({ OBSERVABILITY_TRUSTED_PROXY_HOPS: '2' })
    expect(await forwardedFor('6.6.6.6, 203.0.113.7, 10.0.0.2')).toBe('203.0.113.7')
    expect(await forwardedFor('203.0.113.7')).toBeUndefined()
  })
})
