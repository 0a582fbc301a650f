import 'server-only'
import type { JsonObject, PostHogEvent, SentryEnvelope } from './ingest/types.js'
import { summarizeReplay, type ReplaySummary } from './replay-text.js'
import { SERVER_EVENTS_LIB } from '../event-batch.js'

/**
 * One thing local mode received, as stored (one JSON line) and listed by `/observability`: a
 * PostHog event, or a Sentry envelope (one per envelope: the SDKs send one error, transaction or
 * replay segment per envelope). Pure: the route decodes, this describes, the store writes.
 */

export type LocalBackend = 'posthog' | 'sentry'
export type LocalSource = 'browser' | 'server'

/** What the timeline lists for an event without loading its data. */
export interface LocalEventSummary {
  readonly id: string
  /** When the local route received it (ms since epoch). */
  readonly at: number
  /** When it happened according to its SDK; `at` when the SDK does not say. */
  readonly time: number
  readonly backend: LocalBackend
  readonly source: LocalSource
  /** PostHog event name; for Sentry `error`, `message`, `transaction`, `spans`, `replay`, `session`… */
  readonly type: string
  /** One line for the timeline. */
  readonly title: string
  readonly error: boolean
  /** PostHog `request_id` or the Sentry tag `request_id` (docs/events.md "One request id"). */
  readonly requestId?: string
  /** `$ai_trace_id`: the request id of an LLM call. */
  readonly aiTraceId?: string
  /** Sentry's trace id: links spans and errors of one request even where only one names it. */
  readonly sentryTraceId?: string
  /** PostHog `$session_id`, or the Sentry tag `posthog_session_id`. */
  readonly sessionId?: string
  /** PostHog `$window_id`: one browser tab. */
  readonly windowId?: string
  /** The Sentry event id (Sentry) or the PostHog uuid. */
  readonly eventId?: string
  /** `$sentry_event_id` of a PostHog `$exception`: the Sentry event of the same error. */
  readonly sentryLink?: string
  readonly replay?: ReplaySummary
}

/** A stored event: the summary plus the decoded payload, shown on demand. */
export interface LocalEvent extends LocalEventSummary {
  readonly v: 1
  readonly data: unknown
}

/** What `describe*` derive; the store adds `v`, `id`, `at` and the default `time`. */
export type LocalEventFacts = Omit<LocalEventSummary, 'id' | 'at' | 'time'> & { readonly time?: number; readonly data: unknown }

const MAX_TITLE = 200
/** The server's own events: the kit's queue (event-batch.ts) and posthog-node (`$exception`). */
const SERVER_LIBS = new Set([SERVER_EVENTS_LIB, 'posthog-node'])

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v.slice(0, 300) : undefined)
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const title = (...parts: Array<unknown>): string =>
  parts
    .filter((p) => p !== undefined && p !== null && p !== '')
    .map(String)
    .join(' ')
    .slice(0, MAX_TITLE)
const ms = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? Math.round(v * 1000) : v
  const parsed = typeof v === 'string' ? Date.parse(v) : NaN
  return Number.isFinite(parsed) ? parsed : undefined
}

/**
 * Describes one decoded PostHog event. `source` comes from `$lib` (posthog-js says `web`, the
 * kit's server queue `nextjs-observability-kit`, posthog-node `posthog-node`).
 *
 * @example
 * describePostHogEvent({ event: 'api_request', distinct_id: 'u', properties: { request_id: 'r1', $lib: 'posthog-node' } })
 */
export function describePostHogEvent(event: PostHogEvent): LocalEventFacts {
  const p = event.properties
  const replay = event.event === '$snapshot' ? summarizeReplay(p.$snapshot_data) : undefined
  const status = typeof p.status_code === 'number' ? p.status_code : undefined
  return {
    backend: 'posthog',
    source: SERVER_LIBS.has(String(p.$lib)) ? 'server' : 'browser',
    type: event.event,
    title: posthogTitle(event, replay),
    error: event.event === '$exception' || event.event === 'api_error' || p.$ai_is_error === true || (status !== undefined && status >= 500),
    time: ms(event.timestamp),
    requestId: str(p.request_id),
    aiTraceId: str(p.$ai_trace_id),
    sessionId: str(p.$session_id),
    windowId: str(p.$window_id),
    eventId: str(event.uuid),
    sentryLink: str(p.$sentry_event_id),
    ...(replay ? { replay } : {}),
    data: event,
  }
}

function posthogTitle(event: PostHogEvent, replay: ReplaySummary | undefined): string {
  const p = event.properties
  const page = str(p.$pathname) ?? str(p.$current_url)
  switch (event.event) {
    case '$pageview':
    case '$pageleave':
      return title(page)
    case 'api_request':
      return title(p.method, p.endpoint, '→', p.status_code, typeof p.response_time_ms === 'number' ? `(${p.response_time_ms} ms)` : '')
    case 'api_error':
      return title(`${String(p.error_type ?? 'error')}:`, p.error_message)
    case 'slow_request':
      return title(p.method, p.endpoint, 'took', p.duration_ms, 'ms')
    case '$exception': {
      const first = Array.isArray(p.$exception_list) ? p.$exception_list[0] : undefined
      const ex = isObject(first) ? first : {}
      return title(`${String(ex.type ?? p.$exception_type ?? 'Error')}:`, ex.value ?? p.$exception_message)
    }
    case '$ai_generation':
      return title(
        `${String(p.$ai_provider ?? 'llm')}/${String(p.$ai_model ?? '?')}`,
        typeof p.$ai_latency === 'number' ? `${p.$ai_latency}s` : '',
        p.$ai_is_error ? `failed: ${String(p.$ai_error ?? '')}` : '',
      )
    case '$snapshot':
      return title(`replay: ${replay?.events ?? 0} rrweb events,`, `${replay?.fullSnapshots ?? 0} full snapshot(s)`)
    case '$feature_flag_called':
      return title(p.$feature_flag, '=', JSON.stringify(p.$feature_flag_response ?? null))
    default:
      return title(page)
  }
}

/**
 * Describes one decoded Sentry envelope by its main item. `source` is what the route knows: the
 * browser sends through the tunnel, the server SDK straight to `/api/<id>/envelope/`.
 */
export function describeSentryEnvelope(envelope: SentryEnvelope, source: LocalSource): LocalEventFacts {
  const items = envelope.items
  const find = (type: string) => items.find((i) => i.type === type)?.payload
  const event = find('event')
  const transaction = find('transaction')
  const replayEvent = find('replay_event')
  const recording = find('replay_recording')
  const spans = items.find((i) => i.type === 'span')?.payload
  const spanList = isObject(spans) && Array.isArray(spans.items) ? spans.items.filter(isObject) : []
  const main = [event, transaction, replayEvent].find(isObject) ?? {}
  const tags = isObject(main.tags) ? main.tags : {}
  const contexts = isObject(main.contexts) ? main.contexts : {}
  const trace = isObject(contexts.trace) ? contexts.trace : isObject(envelope.header.trace) ? envelope.header.trace : {}
  const base = {
    backend: 'sentry' as const,
    source,
    time: ms(main.timestamp) ?? ms(spanList[0]?.start_timestamp) ?? ms(envelope.header.sent_at),
    requestId: str(tags.request_id) ?? spanRequestId(spanList),
    sentryTraceId: str(trace.trace_id),
    sessionId: str(tags.posthog_session_id),
    eventId: str(main.event_id) ?? str(envelope.header.event_id),
    data: { header: envelope.header, items: items.map(({ type, header, payload }) => ({ type, header, payload: storable(payload) })) },
  }
  if (isObject(event)) {
    const values = isObject(event.exception) && Array.isArray(event.exception.values) ? event.exception.values : []
    const top = values[values.length - 1]
    const message = isObject(event.message) ? (event.message.formatted ?? event.message.message) : event.message
    const level = str(event.level)
    const failed = values.length > 0 || level === 'error' || level === 'fatal'
    const text = isObject(top) ? title(`${String(top.type ?? 'Error')}:`, top.value) : title(message)
    return { ...base, type: failed ? 'error' : 'message', title: text, error: failed }
  }
  if (isObject(transaction)) return { ...base, type: 'transaction', title: title(transaction.transaction), error: false }
  if (isObject(replayEvent) || isObject(recording)) {
    const replay = summarizeReplay(isObject(recording) ? recording.events : [])
    const rid = isObject(replayEvent) ? str(replayEvent.replay_id) : undefined
    return {
      ...base,
      type: 'replay',
      title: title(`replay ${rid?.slice(0, 8) ?? ''}: ${replay.events} rrweb events,`, `${replay.fullSnapshots} full snapshot(s)`),
      error: false,
      replay,
    }
  }
  const first = items[0]
  if (spanList.length) {
    // The segment (root) span names the request best: `GET /api/ping`.
    const named = (s: JsonObject) => typeof s.name === 'string' && s.name.includes('/')
    const head = spanList.find((s) => s.is_segment === true && named(s)) ?? spanList.find((s) => s.is_segment === true) ?? spanList[0]
    return { ...base, type: 'spans', title: title(`${spanList.length} span(s):`, head?.name), error: false }
  }
  const payload = isObject(first?.payload) ? first.payload : {}
  const type = first?.type ?? 'envelope'
  if (type === 'session' || type === 'sessions') {
    const aggregates = Array.isArray(payload.aggregates) ? payload.aggregates.length : 0
    return {
      ...base,
      type: 'session',
      title: type === 'session' ? title('session', payload.status) : title('session aggregates:', aggregates, 'bucket(s)'),
      error: false,
    }
  }
  return { ...base, type, title: title(type), error: false }
}

/** The `request_id` attribute the kit sets on a tracked request's root span (streamed spans v2). */
function spanRequestId(spans: readonly JsonObject[]): string | undefined {
  for (const span of spans) {
    const attr = isObject(span.attributes) ? span.attributes.request_id : undefined
    const value = isObject(attr) ? str(attr.value) : str(attr)
    if (value) return value
  }
  return undefined
}

/** Binary items (attachments, profiles) become a note: the store is JSON lines. */
function storable(payload: unknown): unknown {
  if (payload instanceof Uint8Array) return { binary: `${payload.byteLength} bytes` }
  return payload
}
