// @vitest-environment jsdom
import posthog from 'posthog-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveIdentity } from '@/lib/observability/server/identity'
import { resetObservability } from 'nextjs-observability-kit/testing'

/**
 * A server event about an anonymous visitor carries the id posthog-js gave that visitor in the
 * browser, read from the `Cookie` header posthog-js's own cookie arrives in (or from its tracing
 * headers), so both land on one timeline. Anything malformed there is an unknown visitor: the
 * request id stands in.
 */

const KEY = 'phc_browseridentity123'
const saved = { ...process.env }

/** The `Cookie` header the browser sends: whatever posthog-js stored, among other cookies. */
const cookieHeader = () => `theme=dark; ${document.cookie}; session=abc`

beforeAll(() => {
  Object.assign(process.env, { POSTHOG_API_KEY: KEY, POSTHOG_HOST: 'http://127.0.0.1:9', POSTHOG_IDENTIFY_PII: 'id' })
  resetObservability()
  posthog.init(KEY, {
    api_host: '/_ox/p',
    persistence: 'cookie',
    autocapture: false,
    capture_pageview: false,
    disable_session_recording: true,
    advanced_disable_flags: true,
  })
})
afterAll(() => {
  process.env = { ...saved }
  resetObservability()
})

describe('server events join the browser’s PostHog identity', () => {
  it('reads the anonymous distinct id and session id from posthog-js’s cookie', () => {
    // posthog-js starts its session (and stores it) when first asked for it, as its first event does.
    const sessionId = posthog.get_session_id()
    expect(document.cookie).toContain(`ph_${KEY}_posthog=`)
    const identity = resolveIdentity(new Headers({ cookie: cookieHeader() }), undefined, 'req-1')
    expect(identity).toEqual({ distinctId: posthog.get_distinct_id(), user: null, sessionId })
  })

  it('prefers posthog-js’s tracing headers, and the signed-in user’s id over both', () => {
    const headers = new Headers({ cookie: cookieHeader(), 'x-posthog-distinct-id': 'from-header', 'x-posthog-session-id': 'session-header' })
    expect(resolveIdentity(headers, undefined, 'req-2')).toEqual({ distinctId: 'from-header', user: null, sessionId: 'session-header' })
    expect(resolveIdentity(headers, { id: 'u-7' }, 'req-3')).toMatchObject({ distinctId: 'u-7', user: { user_id: 'u-7' }, sessionId: 'session-header' })
  })

  it.each([
    ['not JSON', 'oops'],
    ['JSON that is not an object', encodeURIComponent('null')],
    ['an id with characters no id has', encodeURIComponent(JSON.stringify({ distinct_id: 'a b<script>', $sesid: [1, 'ok', 1] }))],
    ['an id past 200 characters', encodeURIComponent(JSON.stringify({ distinct_id: 'x'.repeat(201) }))],
    ['broken percent-encoding', '%E0%A4%A'],
  ])('treats a cookie holding %s as an unknown visitor', (_, value) => {
    const identity = resolveIdentity(new Headers({ cookie: `ph_${KEY}_posthog=${value}` }), undefined, 'req-4')
    expect(identity.distinctId).toBe('req-4')
  })

  it('does not search a Cookie header longer than any browser sends', () => {
    const headers = new Headers({ cookie: `${'pad=x; '.repeat(3_000)}${cookieHeader()}` })
    expect(resolveIdentity(headers, undefined, 'req-5').distinctId).toBe('req-5')
  })
})
