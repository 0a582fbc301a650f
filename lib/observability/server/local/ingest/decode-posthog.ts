import {
  type DecodeBudget,
  type DecodeOptions,
  budgetOf,
  fromBase64,
  gunzip,
  header,
  isGzip,
  isObject,
  parseJson,
  removeContentEncoding,
  text,
} from './bytes.js'
import { DecodeError } from './decode-error.js'
import { decodeSnapshotData } from './decode-snapshot.js'
import { decompressLz64 } from './lz64.js'
import type { IngestRequest, JsonObject, PostHogEvent, PostHogFlagsRequest } from './types.js'

/** Capture routes of PostHog's ingestion service (rust/capture `router.rs`), without trailing slash. */
export const POSTHOG_EVENT_ENDPOINTS = ['/e', '/i/v0/e', '/batch', '/capture', '/track', '/engage', '/s', '/i/v0/ai/batch', '/i/v0/ai'] as const
export const POSTHOG_FLAGS_ENDPOINTS = ['/flags', '/decide'] as const

export type PostHogEndpoint = (typeof POSTHOG_EVENT_ENDPOINTS)[number] | (typeof POSTHOG_FLAGS_ENDPOINTS)[number]

/**
 * Which PostHog endpoint a pathname names, accepting both `/e` and `/e/`. Returns undefined for
 * anything else so callers can fall through to Sentry or a 404.
 */
export function posthogEndpoint(path: string): PostHogEndpoint | undefined {
  const normalized = path.length > 1 ? path.replace(/\/+$/, '') : path
  return [...POSTHOG_EVENT_ENDPOINTS, ...POSTHOG_FLAGS_ENDPOINTS].find((e) => e === normalized)
}

const BASE64 = /^[A-Za-z0-9+/=_\-\s]+$/

function base64Text(data: string, budget: DecodeBudget): string {
  const cleaned = data.trim().replace(/ /g, '+')
  if (!BASE64.test(cleaned)) throw new DecodeError('body is neither JSON nor base64')
  const bytes = fromBase64(cleaned, 'base64 body', budget)
  return text(isGzip(bytes) ? gunzip(bytes, 'base64 gzip body', budget) : bytes)
}

function unwrapText(payload: string, compression: string, budget: DecodeBudget): string {
  if (compression === 'lz64' || compression === 'lz-string') return decompressLz64(payload.trim().replace(/ /g, '+'), budget)
  const trimmed = payload.trimStart()
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return payload
  return base64Text(payload, budget)
}

/**
 * The JSON value inside a PostHog request after every transport layer: Content-Encoding, gzip
 * by magic bytes, `data=` forms (body or GET query), base64, and lz64 when hinted. Mirrors
 * capture's `payload/decompression.rs` so the fake accepts what production accepts.
 */
export function decodePostHogJson(req: IngestRequest, options: DecodeOptions = {}): unknown {
  const budget = budgetOf(options)
  const query = new URLSearchParams(req.search.replace(/^\?/, ''))
  const bytes = removeContentEncoding(req.headers, req.body, budget)
  const raw = text(bytes)
  const contentType = (header(req.headers, 'content-type') ?? '').toLowerCase()
  let form: URLSearchParams | undefined
  if (bytes.length === 0) {
    if (!query.has('data')) throw new DecodeError('PostHog request has an empty body and no data= query')
    form = query
  } else if (contentType.includes('application/x-www-form-urlencoded') || raw.startsWith('data=')) {
    form = new URLSearchParams(raw)
  }
  const compression = (form?.get('compression') ?? query.get('compression') ?? '').toLowerCase()
  const payload = form ? form.get('data') : raw
  if (payload === null || payload === undefined || payload === '') {
    throw new DecodeError('PostHog form body has no data= field')
  }
  return parseJson(unwrapText(payload, compression, budget), 'PostHog body')
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const id = (v: unknown): string | undefined => (typeof v === 'number' ? String(v) : str(v))

function toEvent(item: unknown, i: number, ctx: { endpoint: string; apiKey?: string; sentAt?: string; budget: DecodeBudget }): PostHogEvent {
  if (!isObject(item)) throw new DecodeError(`event ${i} is not an object`)
  if (item.properties !== undefined && !isObject(item.properties)) {
    throw new DecodeError(`event ${i} has properties that are not an object`)
  }
  const properties: JsonObject = isObject(item.properties) ? { ...item.properties } : {}
  const event = str(item.event) ?? (ctx.endpoint === '/engage' ? '$identify' : undefined)
  if (!event) throw new DecodeError(`event ${i} has no event name`)
  const distinctId = id(item.distinct_id) ?? id(properties.distinct_id) ?? id(item.$distinct_id)
  if (!distinctId) throw new DecodeError(`event ${i} ("${event}") has no distinct_id`)
  if (event === '$snapshot' && properties.$snapshot_data !== undefined) {
    properties.$snapshot_data = decodeSnapshotData(properties.$snapshot_data, { budget: ctx.budget })
  }
  const out: PostHogEvent = { event, distinct_id: distinctId, properties }
  const apiKey = ctx.apiKey ?? str(item.api_key) ?? str(item.token) ?? str(item.$token) ?? str(properties.token)
  const optional = { uuid: str(item.uuid), timestamp: str(item.timestamp), api_key: apiKey, sent_at: str(item.sent_at) ?? ctx.sentAt }
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (out as unknown as JsonObject)[k] = v
  if (isObject(item.$set)) out.$set = item.$set
  if (isObject(item.$set_once)) out.$set_once = item.$set_once
  return out
}

/**
 * Decode a capture request (`/e/`, `/batch/`, `/s/`, …) into a flat list of events. Accepts a
 * single event, an array, or `{api_key|token, batch, sent_at}`; empty batches are refused as
 * PostHog refuses them.
 *
 * @example
 * decodePostHogEvents({ method: 'POST', path: '/batch/', search: '', headers: { 'content-encoding': 'gzip' }, body })
 */
export function decodePostHogEvents(req: IngestRequest, options: DecodeOptions = {}): PostHogEvent[] {
  const budget = budgetOf(options)
  const json = decodePostHogJson(req, { budget })
  const endpoint = posthogEndpoint(req.path) ?? req.path
  let list: unknown[]
  const ctx: { endpoint: string; apiKey?: string; sentAt?: string; budget: DecodeBudget } = { endpoint, budget }
  if (Array.isArray(json)) list = json
  else if (isObject(json) && 'batch' in json) {
    if (!Array.isArray(json.batch)) throw new DecodeError('PostHog body has a batch that is not an array')
    list = json.batch
    ctx.apiKey = str(json.api_key) ?? str(json.token)
    ctx.sentAt = str(json.sent_at)
  } else if (isObject(json)) list = [json]
  else throw new DecodeError('PostHog body is neither an event, an array of events nor a batch')
  if (list.length === 0) throw new DecodeError('PostHog batch is empty')
  return list.map((item, i) => toEvent(item, i, ctx))
}

/**
 * Decode a `/flags/` (or legacy `/decide/`) request. posthog-js falls back to a base64 `data=`
 * form here even when events go out as plain JSON, so the same unwrapping applies.
 */
export function decodePostHogFlagsRequest(req: IngestRequest, options: DecodeOptions = {}): PostHogFlagsRequest {
  const json = decodePostHogJson(req, options)
  if (!isObject(json)) throw new DecodeError('PostHog flags body is not a JSON object')
  const token = str(json.token) ?? str(json.api_key)
  if (!token) throw new DecodeError('PostHog flags body has no token')
  const distinctId = id(json.distinct_id)
  if (!distinctId) throw new DecodeError('PostHog flags body has no distinct_id')
  return { ...json, token, distinct_id: distinctId }
}
