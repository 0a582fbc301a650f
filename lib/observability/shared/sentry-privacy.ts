import type { DataCollection, ErrorEvent, StreamedSpanJSON, Breadcrumb } from '@sentry/core'
import { FILTERED, isSensitiveKey, scrubDeep, scrubRecord, scrubString, scrubUrl } from './scrub.js'
import { removeSentText, sentTextOf } from './sent-text.js'

/**
 * Sentry 11 collects user info, cookies, headers and bodies by default (`dataCollection`). The
 * kit turns that down (docs/privacy.md) and scrubs what remains in `beforeSend`, so the same policy
 * holds whatever an integration adds. Used by the server, edge and browser inits alike.
 */
export function strictDataCollection(llmPayloads: boolean): DataCollection {
  return {
    // The kit sets `user` itself, per POSTHOG_IDENTIFY_PII; nothing is inferred (no IP address).
    userInfo: false,
    cookies: false,
    // v10's defaults, which Sentry's migration guide gives for keeping v10 behaviour.
    httpHeaders: { request: { deny: ['forwarded', '-ip', 'remote-', 'via', '-user'] }, response: false },
    httpBodies: [],
    urlQueryParams: true,
    graphQL: { document: true, variables: false },
    genAI: { inputs: llmPayloads, outputs: llmPayloads },
    databaseQueryData: false,
    queues: false,
    stackFrameVariables: false,
  }
}

/**
 * `beforeSend`: the request, extras, contexts, tags, breadcrumbs, messages, fingerprint,
 * transaction name and stack frames' source lines, scrubbed. An LLM prompt remembered on the
 * original exception (`sent-text.ts`) is removed from every message too.
 */
export function scrubSentryEvent<E extends ErrorEvent>(event: E, hint?: { originalException?: unknown }): E {
  const sent = hint ? sentTextOf(hint.originalException) : []
  const text = (s: string) => scrubString(removeSentText(s, sent))
  const req = event.request
  if (req) {
    if (req.headers) req.headers = scrubRecord(req.headers as Record<string, unknown>)
    if (req.cookies) req.cookies = Object.fromEntries(Object.keys(req.cookies).map((k) => [k, FILTERED]))
    if (typeof req.query_string === 'string') req.query_string = scrubString(`?${req.query_string}`).slice(1)
    else if (req.query_string && typeof req.query_string === 'object')
      req.query_string = scrubRecord(req.query_string as Record<string, unknown>) as typeof req.query_string
    if (req.url) req.url = scrubUrl(req.url)
    delete req.data
    delete (req as { env?: unknown }).env
  }
  if (event.extra) event.extra = scrubDeep(event.extra) as typeof event.extra
  if (event.contexts) event.contexts = scrubDeep(event.contexts, { maxDepth: 8 }) as typeof event.contexts
  if (event.tags) {
    // The PostHog session id links the two backends; its key merely contains "session".
    const { posthog_session_id, ...rest } = event.tags
    event.tags = { ...(scrubDeep(rest) as typeof event.tags), ...(posthog_session_id !== undefined ? { posthog_session_id } : {}) }
  }
  if (event.message) event.message = text(event.message)
  if (event.logentry) {
    if (event.logentry.message) event.logentry.message = text(event.logentry.message)
    if (event.logentry.params) event.logentry.params = scrubDeep(event.logentry.params) as unknown[]
  }
  if (event.transaction) event.transaction = scrubString(event.transaction)
  if (event.fingerprint) event.fingerprint = event.fingerprint.map(text)
  for (const ex of event.exception?.values ?? []) {
    if (ex.value) ex.value = text(ex.value)
    if (ex.mechanism?.data) ex.mechanism.data = scrubDeep(ex.mechanism.data) as typeof ex.mechanism.data
    for (const frame of ex.stacktrace?.frames ?? []) {
      if (frame.vars) frame.vars = scrubDeep(frame.vars) as typeof frame.vars
      if (frame.context_line) frame.context_line = scrubString(frame.context_line)
      if (frame.pre_context) frame.pre_context = frame.pre_context.map(scrubString)
      if (frame.post_context) frame.post_context = frame.post_context.map(scrubString)
    }
  }
  if (event.breadcrumbs) event.breadcrumbs = event.breadcrumbs.map(scrubBreadcrumb)
  if (event.user) delete event.user.ip_address
  return event
}

/**
 * Sentry's replay event lists every URL the session visited (`urls`); it passes through event
 * processors, not `beforeSend`. Other event types pass unchanged.
 */
export function scrubReplayEvent<E extends { type?: string; urls?: unknown; request?: { url?: string } }>(event: E): E {
  if (event.type !== 'replay_event') return event
  if (Array.isArray(event.urls)) event.urls = event.urls.map((u) => (typeof u === 'string' ? scrubUrl(u) : u))
  if (event.request?.url) event.request.url = scrubUrl(event.request.url)
  return event
}

export function scrubBreadcrumb(crumb: Breadcrumb): Breadcrumb {
  return {
    ...crumb,
    ...(crumb.message ? { message: scrubString(crumb.message) } : {}),
    ...(crumb.data ? { data: scrubDeep(crumb.data) as Breadcrumb['data'] } : {}),
  }
}

/**
 * `beforeSendSpan`: URLs and headers in span attributes follow the same policy. Sentry 11 gives a
 * header's values as an array (`http.request.header.x-note: ['…']`): each value is scrubbed.
 */
export function scrubSpan(span: StreamedSpanJSON): StreamedSpanJSON {
  const attrs = span.attributes as Record<string, unknown> | undefined
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (/\.(request|response)\.header\./.test(key) && isSensitiveKey(key.slice(key.lastIndexOf('.') + 1))) attrs[key] = FILTERED
      else if (typeof value === 'string') attrs[key] = scrubString(value)
      else if (Array.isArray(value)) attrs[key] = value.map((v) => (typeof v === 'string' ? scrubString(v) : v))
    }
  }
  span.name = scrubString(span.name)
  return span
}
