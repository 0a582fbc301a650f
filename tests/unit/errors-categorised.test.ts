import { describe, expect, it } from 'vitest'
import { categorizeError, defaultUserImpact, fingerprint, isExpectedClientError, userImpact } from '@/lib/observability/shared/categorize'
import { normalizeError } from '@/lib/observability/shared/errors'

function named(name: string, message = 'boom', extra: Record<string, unknown> = {}) {
  return Object.assign(Object.assign(new Error(message), { name }), extra)
}

describe('failures fall into the categories of CONTRACT §6', () => {
  it.each([
    ['connection_error', Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) })],
    ['connection_error', named('APIConnectionError', 'Connection error.')],
    ['connection_error', named('AbortError', 'The operation was aborted')],
    ['content_filter', named('BadRequestError', 'Your request was rejected by our content management policy', { status: 400 })],
    ['content_filter', named('Error', 'x', { code: 'content_filter' })],
    ['quota_error', named('RateLimitError', 'Rate limit reached', { status: 429, headers: {} })],
    ['quota_error', named('Error', 'You exceeded your current quota', { code: 'insufficient_quota' })],
    ['auth_error', named('AuthenticationError', 'bad key', { status: 401 })],
    ['auth_error', named('PermissionDeniedError', 'no', { status: 403 })],
    ['auth_error', named('UnauthorizedError')],
    ['validation_error', named('ValidationError')],
    ['validation_error', named('ZodError')],
    ['validation_error', named('UnprocessableEntityError', 'bad', { status: 422 })],
    ['provider_error', named('InternalServerError', 'upstream 500', { status: 500, headers: {} })],
    ['provider_error', named('APIError', 'overloaded', { status: 529 })],
    ['provider_error', named('ProviderError')],
    ['application_error', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['application_error', 'a string'],
    ['application_error', null],
  ])('%s ← %s', (expected, thrown) => {
    expect(categorizeError(thrown, normalizeError(thrown))).toBe(expected)
  })
})

describe('fingerprints group by type and category, or by first line when uncategorised', () => {
  it('uses the category', () => {
    expect(fingerprint({ type: 'RateLimitError', message: 'x' }, 'quota_error')).toEqual(['RateLimitError', 'quota_error'])
  })
  it('uses the first line of the message for application errors', () => {
    expect(fingerprint({ type: 'TypeError', message: 'bad thing\nat line 2' }, 'application_error')).toEqual(['TypeError', 'bad thing'])
  })
})

describe('expected client errors stay out of Sentry', () => {
  it.each([[400, true], [404, true], [422, true], [401, false], [403, false], [429, false], [500, false], [200, false]])('%i → %s', (status, expected) => {
    expect(isExpectedClientError(status)).toBe(expected)
  })
})

describe('user impact has sensible defaults and configurable rules', () => {
  const base = { statusCode: 500, method: 'GET', endpoint: '/api/x' }
  it('rates bugs high, transient dependency failures medium (high for writes), refused input low', () => {
    expect(defaultUserImpact({ ...base, errorType: 'application_error' })).toBe('high')
    expect(defaultUserImpact({ ...base, errorType: 'provider_error' })).toBe('medium')
    expect(defaultUserImpact({ ...base, method: 'POST', errorType: 'provider_error' })).toBe('high')
    expect(defaultUserImpact({ ...base, errorType: 'validation_error' })).toBe('low')
  })
  it('lets the first answering rule win, ignoring broken rules', () => {
    const rules = [() => { throw new Error('bad rule') }, (c: { endpoint: string }) => (c.endpoint.startsWith('/api/admin') ? 'low' as const : undefined)]
    expect(userImpact({ ...base, endpoint: '/api/admin/x', errorType: 'application_error' }, rules)).toBe('low')
    expect(userImpact({ ...base, errorType: 'application_error' }, rules)).toBe('high')
  })
})

describe('anything thrown is described safely', () => {
  it.each([
    ['a string', 'x', 'string', 'x'],
    ['null', null, 'null', 'null'],
    ['undefined', undefined, 'undefined', 'undefined'],
    ['a number', 42, 'number', '42'],
    ['a plain object', { code: 7 }, 'object', '{"code":7}'],
  ])('%s', (_l, thrown, type, message) => {
    const n = normalizeError(thrown)
    expect(n.type).toBe(type)
    expect(n.message).toBe(message)
    expect(n.error).toBeInstanceOf(Error)
  })

  it('survives a cyclic object', () => {
    const o: Record<string, unknown> = { a: 1 }
    o.self = o
    expect(normalizeError(o).message).toContain('[Circular]')
  })

  it('bounds a 1 MB message and its stack', () => {
    const n = normalizeError(new Error('m'.repeat(1_000_000)))
    expect(n.message.length).toBeLessThan(2_100)
    expect(n.stack.length).toBeLessThan(5_100)
    expect(n.message).toMatch(/truncated \d+ chars/)
  })

  it('keeps a custom error name as the type', () => {
    expect(normalizeError(named('PaymentDeclined')).type).toBe('PaymentDeclined')
    expect(normalizeError(new (class QueueFull extends Error {})('x')).type).toBe('QueueFull')
  })
})
