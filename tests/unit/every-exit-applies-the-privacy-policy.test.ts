import type { ErrorEvent } from '@sentry/core'
import { describe, expect, it } from 'vitest'
import { fingerprint } from '@/lib/observability/shared/categorize'
import { normalizeError } from '@/lib/observability/shared/errors'
import { scrubPostHogEvent, scrubRecordingEvent, scrubServerProperties } from '@/lib/observability/shared/event-privacy'
import { FILTERED } from '@/lib/observability/shared/scrub'
import { rememberSentText } from '@/lib/observability/shared/sent-text'
import { scrubReplayEvent, scrubSentryEvent } from '@/lib/observability/shared/sentry-privacy'

/**
 * Each exit the kit controls applies the one policy: the error handed to both SDKs, Sentry's
 * events (fingerprint, transaction, log parameters, source lines), its replay events, PostHog
 * events of both SDKs and both replays' recordings. The wire tests (integration
 * `secrets-in-errors-never-leave`, e2e `page-urls-never-carry-secrets`) check the same end to end.
 */

describe('a failure is described without its secrets', () => {
  it('scrubs message and stack, and hands the SDKs a scrubbed copy, leaving the original alone', () => {
    const original = new Error('connect failed: postgres://app:Hunter22pw@db/app', { cause: new Error('auth with Bearer sk_live_cause123456') })
    const n = normalizeError(original)
    expect(n.message).toBe(`connect failed: postgres://app:${FILTERED}@db/app`)
    expect(n.stack).not.toContain('Hunter22pw')
    expect(n.error).not.toBe(original)
    expect(n.error.message).toBe(n.message)
    expect(n.error.stack).not.toContain('Hunter22pw')
    expect((n.error.cause as Error).message).toBe(`auth with Bearer ${FILTERED}`)
    expect(original.message).toContain('Hunter22pw')
    expect(fingerprint(n, 'application_error')).toEqual(['Error', `connect failed: postgres://app:${FILTERED}@db/app`])
  })

  it('hands the SDKs the original error when nothing needs scrubbing', () => {
    const original = new Error('plain failure')
    expect(normalizeError(original).error).toBe(original)
  })

  it('scrubs what was thrown that is not an Error', () => {
    expect(normalizeError({ message: 'token=abc123def', code: 1 }).message).toBe(`token=${FILTERED}`)
    expect(normalizeError('api_key: sk_test_abcdef123456').message).toBe(`api_key: ${FILTERED}`)
  })
})

describe('an LLM prompt remembered on an error is removed from every report of it', () => {
  const prompt = 'Please summarise the medical history of patient Quokkafield Zanzibar, born 1961'
  const quoting = (quoted: string) => Object.assign(new Error(`400 Invalid 'messages[0].content': ${quoted} is not allowed`), { status: 400 })

  it('raw or JSON-escaped, from the message, the stack and the SDK copy', () => {
    const error = quoting(JSON.stringify(`${prompt}\n"and more"`))
    rememberSentText(error, [{ role: 'user', content: `${prompt}\n"and more"` }])
    const n = normalizeError(error)
    for (const text of [n.message, n.stack, n.error.message]) {
      expect(text).not.toContain('Quokkafield')
      expect(text).not.toContain('medical history')
      expect(text).toContain("400 Invalid 'messages[0].content':")
      expect(text).toContain('is not allowed')
    }
  })

  it('through a wrapper the app threw, via `cause`', () => {
    const inner = quoting(`'${prompt}'`)
    rememberSentText(inner, prompt)
    const wrapper = new Error(`chat failed: ${inner.message}`, { cause: inner })
    const n = normalizeError(wrapper)
    expect(n.message).not.toContain('Quokkafield')
    expect((n.error.cause as Error).message).not.toContain('Quokkafield')
  })

  it('in Sentry events captured by Sentry itself, through the hint', () => {
    const error = quoting(`'${prompt}'`)
    rememberSentText(error, prompt)
    const event = { exception: { values: [{ type: 'Error', value: error.message }] }, message: error.message } as ErrorEvent
    const out = scrubSentryEvent(event, { originalException: error })
    expect(JSON.stringify(out)).not.toContain('Quokkafield')
    expect(out.exception?.values?.[0]?.value).toContain('is not allowed')
  })

  it('keeps the words a message shares with the prompt in runs under 12 characters', () => {
    const error = new Error('Invalid request: model overloaded, retry later')
    rememberSentText(error, 'Tell me a story about a model that got overloaded')
    expect(normalizeError(error).message).toBe('Invalid request: model overloaded, retry later')
  })
})

describe('Sentry events lose secrets in every field that carries text', () => {
  it('fingerprint, transaction, log parameters, source lines and frame variables', () => {
    const event = {
      fingerprint: ['Error', 'failed for password=hunter2'],
      transaction: 'GET /reset?token=abc123',
      logentry: { message: 'login %s', params: ['Bearer abcdefghijk', { password: 'x' }] },
      exception: {
        values: [
          {
            type: 'Error',
            value: 'card 4111 1111 1111 1111',
            stacktrace: {
              frames: [
                { context_line: 'const apiKey = "api_key=sk_live_abcdef"', pre_context: ['password: hunter2'], post_context: ['ok'], vars: { secret: 's' } },
              ],
            },
          },
        ],
      },
    } as unknown as ErrorEvent
    const text = JSON.stringify(scrubSentryEvent(event))
    for (const secret of ['hunter2', 'abc123', 'abcdefghijk', '4111 1111', 'sk_live_abcdef', '"s"']) expect(text, secret).not.toContain(secret)
    expect(text).toContain('failed for password=')
  })

  it('replay events: the list of visited URLs', () => {
    const out = scrubReplayEvent({ type: 'replay_event', urls: ['https://app/x?token=abc&page=2'], request: { url: 'https://app/x?code=c0de' } })
    expect(out.urls).toEqual([`https://app/x?token=${FILTERED}&page=2`])
    expect(out.request?.url).toBe(`https://app/x?code=${FILTERED}`)
  })
})

describe('PostHog events and recordings lose secrets, and keep what posthog-js needs', () => {
  it('page URLs, $set and $set_once; the public `token` stays (posthog-js drops events without it)', () => {
    const out = scrubPostHogEvent({
      event: '$pageview',
      properties: { token: 'phc_abc', $current_url: 'https://app/reset?token=t0k3n&x=1', $session_entry_url: 'https://app/?password=pw', plan: 'pro' },
      $set_once: { $initial_current_url: 'https://app/?api_key=k3y' },
    })
    expect(out.properties).toEqual({
      token: 'phc_abc',
      $current_url: `https://app/reset?token=${FILTERED}&x=1`,
      $session_entry_url: `https://app/?password=${FILTERED}`,
      plan: 'pro',
    })
    expect(out.$set_once).toEqual({ $initial_current_url: `https://app/?api_key=${FILTERED}` })
  })

  it('a $snapshot: the meta event’s URL, custom and plugin events; compressed DOM data untouched', () => {
    const compressed = '\u001f\u008b\u0008token=abc\u0000\u00ff'
    const out = scrubPostHogEvent({
      event: '$snapshot',
      properties: {
        $snapshot_data: [
          { type: 4, data: { href: 'https://app/x?token=abc', width: 1 } },
          { type: 2, data: compressed, cv: '2024-10' },
          { type: 5, data: { tag: '$pageview', payload: { href: 'https://app/y?code=123456' } } },
          {
            type: 6,
            data: {
              plugin: 'rrweb/network@1',
              payload: { requests: [{ name: 'https://api/x?key=AIza123', requestHeaders: { authorization: 'Bearer abcdefghi' } }] },
            },
          },
        ],
      },
    })
    const [meta, full, custom, plugin] = out.properties!.$snapshot_data as { data: unknown }[]
    expect(meta!.data).toEqual({ href: `https://app/x?token=${FILTERED}`, width: 1 })
    expect(full!.data).toBe(compressed)
    expect(JSON.stringify(custom)).not.toContain('123456')
    expect(JSON.stringify(plugin)).not.toMatch(/AIza123|abcdefghi/)
  })

  it('rrweb events for Sentry’s recorder, the same way', () => {
    expect(scrubRecordingEvent({ type: 4, data: { href: 'https://app/?password=pw1234' } })).toEqual({
      type: 4,
      data: { href: `https://app/?password=${FILTERED}` },
    })
    const mutation = { type: 3, data: { source: 0, texts: [{ value: 'token=abc' }] } }
    expect(scrubRecordingEvent(mutation)).toBe(mutation)
  })

  it('server events before the hand-off to posthog-node', () => {
    expect(scrubServerProperties({ endpoint: '/api/x', error_message: 'bad api_key=sk_123456', $session_id: 's1' })).toEqual({
      endpoint: '/api/x',
      error_message: `bad api_key=${FILTERED}`,
      $session_id: 's1',
    })
  })
})
