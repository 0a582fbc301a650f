/**
 * One HTTP request as an ingestion endpoint sees it. Framework-free so that the same decoder
 * serves the test fake (node:http) and the app's local-mode route handlers (Web `Request`).
 *
 * @example
 * const req: IngestRequest = { method: 'POST', path: '/e/', search: '', headers: {}, body }
 */
export interface IngestRequest {
  method: string
  /** Pathname only, e.g. `/api/42/envelope/`. */
  path: string
  /** Query string with or without the leading `?`. */
  search: string
  /** Header names in any case; values already joined. */
  headers: Record<string, string>
  body: Uint8Array
}

/** A JSON object as it comes off the wire: keys are known only at runtime. */
export type JsonObject = { [key: string]: unknown }

/**
 * A PostHog event after every transport layer (gzip, base64, form, lz64, per-event
 * `$snapshot` compression) has been removed, in the shape PostHog's capture service sees.
 */
export interface PostHogEvent {
  uuid?: string
  event: string
  distinct_id: string
  properties: JsonObject
  timestamp?: string
  /** Project token from the batch body, the event, or `properties.token`. */
  api_key?: string
  sent_at?: string
  $set?: JsonObject
  $set_once?: JsonObject
}

/** The body of a `/flags/` request (posthog-js and posthog-node), token and id checked. */
export interface PostHogFlagsRequest extends JsonObject {
  token: string
  distinct_id: string
}

/** An rrweb event with per-event compression removed. */
export interface RrwebEvent extends JsonObject {
  type: number
  data?: unknown
  timestamp?: number
}

export interface SentryEnvelopeHeader extends JsonObject {
  event_id?: string
  sent_at?: string
  /** Present only when the SDK sends through a tunnel. */
  dsn?: string
  sdk?: { name?: string; version?: string }
  /** Dynamic sampling context. */
  trace?: JsonObject
}

export interface SentryItemHeader extends JsonObject {
  type: string
  length?: number
}

/**
 * A decoded `replay_recording` payload. `encoding` records how the SDK sent the rrweb data so
 * tests can tell a worker-compressed segment from a plain one.
 */
export interface ReplayRecording {
  segment_id: number
  events: RrwebEvent[]
  encoding: 'none' | 'zlib' | 'gzip'
}

/**
 * One envelope item. `payload` is parsed JSON, except: `attachment` and `profile_chunk` are raw
 * bytes (`Uint8Array`) and `replay_recording` is a {@link ReplayRecording}.
 */
export interface SentryEnvelopeItem {
  type: string
  header: SentryItemHeader
  payload: unknown
}

export interface SentryEnvelope {
  header: SentryEnvelopeHeader
  items: SentryEnvelopeItem[]
}

/** Where the request's Sentry credentials came from; Relay accepts exactly one source. */
export interface SentryAuth {
  publicKey?: string
  projectId?: string
  source: 'query' | 'header' | 'dsn' | 'none'
}

export interface SentryEnvelopeRequest extends SentryEnvelope {
  auth: SentryAuth
}

/** The fields of a Sentry error event that tests assert on; the rest stays reachable. */
export interface SentryEvent extends JsonObject {
  event_id?: string
  level?: string
  message?: string | { formatted?: string; message?: string }
  exception?: {
    values?: Array<{ type?: string; value?: string; mechanism?: JsonObject; stacktrace?: JsonObject }>
  }
  tags?: Record<string, unknown>
  user?: JsonObject
  request?: JsonObject
  contexts?: Record<string, JsonObject | undefined>
  extra?: JsonObject
}
