import { describe, expect, it } from 'vitest'
import { FILTERED, isSensitiveKey, scrubDeep, scrubRecord, scrubString } from '@/lib/observability/shared/scrub'
import { scrubSentryEvent, scrubSpan } from '@/lib/observability/shared/sentry-privacy'
import type { ErrorEvent, StreamedSpanJSON } from '@sentry/core'

describe('sensitive keys are filtered wherever they appear (docs/privacy.md)', () => {
  it.each([
    'authorization',
    'Proxy-Authorization',
    'cookie',
    'set-cookie',
    'x-api-key',
    'x-auth-token',
    'x-csrf-token',
    'x-session-id',
    'password',
    'db_password',
    'clientSecret',
    'refresh_token',
    'api_key',
    'apikey',
    'X-Auth',
    'credentials',
    'session',
  ])('%s is sensitive', (key) => expect(isSensitiveKey(key)).toBe(true))

  it.each(['user-agent', 'accept', 'content-type', 'page', 'endpoint', 'kind'])('%s is not', (key) => expect(isSensitiveKey(key)).toBe(false))

  it('filters header maps by key', () => {
    expect(scrubRecord({ Authorization: 'Bearer abc', Cookie: 'a=1', accept: 'x', 'x-api-key': 'k' })).toEqual({
      Authorization: FILTERED,
      Cookie: FILTERED,
      accept: 'x',
      'x-api-key': FILTERED,
    })
  })

  it('filters sensitive query values and keeps the rest of the URL', () => {
    expect(scrubString('/api/x?token=abc&page=2&password=hunter2#h')).toBe(`/api/x?token=${FILTERED}&page=2&password=${FILTERED}#h`)
    expect(scrubString('https://u:pw@example.com/p')).toBe(`https://u:${FILTERED}@example.com/p`)
  })

  it('scrubs bearer tokens, card numbers and private keys inside free text', () => {
    const text =
      'call failed with Bearer eyJhbGciOiJIUzI1NiJ9.abc.def for card 4242 4242 4242 4242 -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- done'
    const out = scrubString(text)
    expect(out).not.toContain('eyJhbGci')
    expect(out).not.toContain('4242 4242')
    expect(out).not.toContain('MIIE')
    expect(out).toContain('call failed with Bearer')
    expect(out).toContain('done')
  })

  it('walks extras and contexts, surviving cycles, bigints, errors and huge strings', () => {
    const cyclic: Record<string, unknown> = {
      name: 'ok',
      session: { id: 1 },
      nested: { apiKey: 'x', list: [{ password: 'p' }] },
      n: 10n,
      e: new Error('Bearer abcdefghijk'),
    }
    cyclic.self = cyclic
    const out = scrubDeep({ ...cyclic, big: 'y'.repeat(1_000_000) }) as Record<string, unknown>
    expect(JSON.parse(JSON.stringify(out))).toMatchObject({
      name: 'ok',
      session: FILTERED,
      nested: { apiKey: FILTERED, list: [{ password: FILTERED }] },
      n: '10',
      e: { name: 'Error', message: `Bearer ${FILTERED}` },
    })
    expect((out.self as Record<string, unknown>).self).toBe('[Circular]')
    expect(String(out.big).length).toBeLessThan(6_000)
  })

  it('keeps PostHog’s own $-properties such as $session_id', () => {
    expect(scrubDeep({ $session_id: 'abc', session_id: 'def' })).toEqual({ $session_id: 'abc', session_id: FILTERED })
  })
})

describe('Sentry events and spans carry no secrets and no bodies', () => {
  it('scrubs the request, extras, breadcrumbs and messages of an event', () => {
    const event = {
      type: undefined,
      message: 'token=abc123',
      exception: { values: [{ type: 'Error', value: 'failed: Bearer sk_live_abcdef123456' }] },
      request: {
        url: 'https://app.test/api?password=hunter2&q=1',
        query_string: 'password=hunter2&q=1',
        headers: { authorization: 'Bearer x', cookie: 'sid=1', 'x-forwarded-for': '1.2.3.4', accept: '*/*' },
        cookies: { sid: '1' },
        data: '{"card":"4242424242424242"}',
      },
      extra: { credentials: { user: 'u' }, fine: 1 },
      contexts: { custom: { secret: 's' } },
      breadcrumbs: [{ message: 'GET /x?api_key=abc', data: { url: '/x?token=t' } }],
      user: { id: 'u1', ip_address: '1.2.3.4' },
    } as unknown as ErrorEvent
    const out = scrubSentryEvent(event)
    const text = JSON.stringify(out)
    for (const secret of ['hunter2', 'sk_live', 'sid=1', '4242', 'abc123', 'api_key=abc', 'token=t', '1.2.3.4"}']) expect(text).not.toContain(secret)
    expect(out.request?.data).toBeUndefined()
    expect(out.request?.headers?.accept).toBe('*/*')
    expect(out.user).toEqual({ id: 'u1' })
  })

  it('scrubs URLs and sensitive headers in span attributes', () => {
    const span = {
      name: 'GET /api?token=abc',
      attributes: { 'url.full': 'http://x/api?token=abc&b=2', 'http.request.header.authorization': 'Bearer zzz', 'http.request.method': 'GET' },
    } as unknown as StreamedSpanJSON
    const out = scrubSpan(span)
    expect(JSON.stringify(out)).not.toMatch(/abc|zzz/)
    expect((out.attributes as Record<string, unknown>)['http.request.method']).toBe('GET')
  })

  it('scrubs each value of a header attribute given as an array', () => {
    const span = {
      name: 'GET /api',
      attributes: {
        'http.request.header.x-note': ['token=abc123secret', 'plain'],
        'http.request.header.cookie': ['sid=zzz'],
        'sentry.sdk.integrations': ['RequestData'],
      },
    } as unknown as StreamedSpanJSON
    const attrs = scrubSpan(span).attributes as Record<string, unknown>
    expect(JSON.stringify(attrs)).not.toMatch(/abc123secret|zzz/)
    expect(attrs['http.request.header.x-note']).toEqual(['token=[Filtered]', 'plain'])
    expect(attrs['sentry.sdk.integrations']).toEqual(['RequestData'])
  })
})
