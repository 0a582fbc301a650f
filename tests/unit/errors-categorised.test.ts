import Anthropic from '@anthropic-ai/sdk'
import { APICallError, RetryError } from 'ai'
import OpenAI from 'openai'
import { ContentFilterFinishReasonError } from 'openai/core/error'
import { describe, expect, it } from 'vitest'
import { categorizeError, defaultUserImpact, fingerprint, isExpectedClientError, userImpact } from '@/lib/observability/shared/categorize'
import { normalizeError } from '@/lib/observability/shared/errors'

function named(name: string, message = 'boom', extra: Record<string, unknown> = {}) {
  return Object.assign(Object.assign(new Error(message), { name }), extra)
}

describe('failures fall into the documented error categories', () => {
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
  it.each([
    [400, true],
    [404, true],
    [422, true],
    [401, false],
    [403, false],
    [429, false],
    [500, false],
    [200, false],
  ])('%i → %s', (status, expected) => {
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
    const rules = [
      () => {
        throw new Error('bad rule')
      },
      (c: { endpoint: string }) => (c.endpoint.startsWith('/api/admin') ? ('low' as const) : undefined),
    ]
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

describe('the real error classes of the LLM clients are categorised (not only look-alikes)', () => {
  const headers = new Headers({ 'x-request-id': 'req_1', 'request-id': 'req_1' })
  const openaiError = (status: number, error: Record<string, unknown>) => OpenAI.APIError.generate(status, { error }, undefined, headers)
  const anthropicError = (status: number, type: string) =>
    Anthropic.APIError.generate(status, { type: 'error', error: { type, message: 'x' } }, undefined, headers)
  const aiCallError = (statusCode: number, error: Record<string, unknown>) =>
    new APICallError({
      message: 'x',
      url: 'https://api.openai.com/v1/chat/completions',
      requestBodyValues: {},
      statusCode,
      responseHeaders: {},
      responseBody: JSON.stringify({ error }),
      data: { error },
    })

  it.each([
    [
      'quota_error',
      'openai 429 insufficient_quota',
      () => openaiError(429, { code: 'insufficient_quota', type: 'insufficient_quota', message: 'You exceeded your current quota' }),
    ],
    ['quota_error', 'openai 429 rate_limit_exceeded', () => openaiError(429, { code: 'rate_limit_exceeded', type: 'requests', message: 'Rate limit reached' })],
    ['content_filter', 'openai 400 content_filter', () => openaiError(400, { code: 'content_filter', message: 'filtered' })],
    [
      'content_filter',
      'openai 400 content_policy_violation',
      () => openaiError(400, { code: 'content_policy_violation', message: 'Your request was rejected' }),
    ],
    ['validation_error', 'openai 400 other', () => openaiError(400, { code: 'invalid_value', message: "Invalid 'messages'" })],
    ['auth_error', 'openai 401', () => openaiError(401, { code: 'invalid_api_key', message: 'Incorrect API key' })],
    ['provider_error', 'openai 500', () => openaiError(500, { type: 'server_error', message: 'The server had an error' })],
    ['provider_error', 'openai 503', () => openaiError(503, { message: 'overloaded' })],
    ['connection_error', 'openai timeout', () => new OpenAI.APIConnectionTimeoutError()],
    [
      'connection_error',
      'openai connection refused',
      () =>
        new OpenAI.APIConnectionError({
          cause: Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }),
        }),
    ],
    ['connection_error', 'openai aborted', () => new OpenAI.APIUserAbortError()],
    ['content_filter', 'openai ContentFilterFinishReasonError (.parse())', () => new ContentFilterFinishReasonError()],
    ['quota_error', 'anthropic 429 rate_limit_error', () => anthropicError(429, 'rate_limit_error')],
    ['provider_error', 'anthropic 500 api_error', () => anthropicError(500, 'api_error')],
    ['provider_error', 'anthropic 529 overloaded_error', () => anthropicError(529, 'overloaded_error')],
    ['auth_error', 'anthropic 401', () => anthropicError(401, 'authentication_error')],
    ['connection_error', 'anthropic timeout', () => new Anthropic.APIConnectionTimeoutError()],
    ['quota_error', 'AI SDK APICallError 429', () => aiCallError(429, { code: 'insufficient_quota', type: 'insufficient_quota' })],
    ['content_filter', 'AI SDK APICallError 400 content_filter', () => aiCallError(400, { code: 'content_filter' })],
    [
      'provider_error',
      'AI SDK RetryError around a 500',
      () => new RetryError({ message: 'Failed after 3 attempts', reason: 'maxRetriesExceeded', errors: [aiCallError(500, { type: 'server_error' })] }),
    ],
    [
      'quota_error',
      'AI SDK RetryError around a 429',
      () => new RetryError({ message: 'Failed after 3 attempts', reason: 'maxRetriesExceeded', errors: [aiCallError(429, { code: 'rate_limit_exceeded' })] }),
    ],
    ['connection_error', 'AbortSignal.timeout()', () => new DOMException('The operation was aborted due to timeout', 'TimeoutError')],
  ])('%s ← %s', (expected, _label, make) => {
    const thrown = make()
    expect(categorizeError(thrown, normalizeError(thrown))).toBe(expected)
    // Also without the normalised form (how a caller holding only the error would ask).
    expect(categorizeError(thrown)).toBe(expected)
  })

  it.each([
    ['connection_error', 'openai timeout', () => new OpenAI.APIConnectionTimeoutError()],
    ['connection_error', 'openai connection error', () => new OpenAI.APIConnectionError({})],
    ['connection_error', 'anthropic timeout', () => new Anthropic.APIConnectionTimeoutError()],
    ['quota_error', 'openai 429', () => openaiError(429, { code: 'insufficient_quota' })],
    ['provider_error', 'openai 500', () => openaiError(500, { type: 'server_error' })],
    ['content_filter', 'openai ContentFilterFinishReasonError', () => new ContentFilterFinishReasonError()],
  ])('%s ← %s, with its class name minified as in a `next build` server chunk', (expected, _label, make) => {
    const thrown = make()
    // What a production bundle does to `class APIConnectionTimeoutError extends …`.
    Object.setPrototypeOf(thrown, Object.create(Object.getPrototypeOf(thrown), { constructor: { value: class eF extends Error {} } }))
    expect(normalizeError(thrown).type).toBe('eF')
    expect(categorizeError(thrown, normalizeError(thrown))).toBe(expected)
  })
})
