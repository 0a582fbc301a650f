import { type DecodeOptions, budgetOf, removeContentEncoding, text } from './bytes.js'
import { type PostHogEndpoint, POSTHOG_FLAGS_ENDPOINTS, decodePostHogEvents, decodePostHogFlagsRequest, posthogEndpoint } from './decode-posthog.js'
import { decodeSentryRequest, isTunnelEnvelope, sentryProjectFromPath } from './decode-sentry.js'
import type { IngestRequest, PostHogEvent, PostHogFlagsRequest, SentryEnvelopeRequest } from './types.js'

export type IngestKind = 'posthog-events' | 'posthog-flags' | 'sentry-envelope'

export type DecodedIngest =
  | { kind: 'posthog-events'; endpoint: PostHogEndpoint; events: PostHogEvent[] }
  | { kind: 'posthog-flags'; endpoint: PostHogEndpoint; request: PostHogFlagsRequest }
  | { kind: 'sentry-envelope'; envelope: SentryEnvelopeRequest }

export interface DecodeIngestOptions extends DecodeOptions {
  /** Prefix the routes are mounted under (e.g. `/api/local-ingest`); stripped before matching. */
  basePath?: string
  /** Extra pathnames that receive Sentry envelopes. Bodies whose header has a `dsn` are accepted anywhere. */
  tunnelPaths?: readonly string[]
}

const FLAGS = new Set<string>(POSTHOG_FLAGS_ENDPOINTS)

function localPath(path: string, basePath?: string): string {
  const base = basePath?.replace(/\/+$/, '')
  if (!base || (path !== base && !path.startsWith(`${base}/`))) return path
  return path.slice(base.length) || '/'
}

/**
 * Route an ingestion request by method and path alone, the cheap check a server makes before
 * reading the body. Tunnel envelopes on unlisted paths are only found by {@link decodeIngestRequest}.
 */
export function classifyIngestRequest(req: Pick<IngestRequest, 'method' | 'path'>, options: DecodeIngestOptions = {}): IngestKind | undefined {
  const method = req.method.toUpperCase()
  if (method !== 'POST' && method !== 'GET') return undefined
  const path = localPath(req.path, options.basePath)
  const endpoint = posthogEndpoint(path)
  if (endpoint) return FLAGS.has(endpoint) ? 'posthog-flags' : 'posthog-events'
  if (method !== 'POST') return undefined
  if (sentryProjectFromPath(path) || options.tunnelPaths?.includes(path)) return 'sentry-envelope'
  return undefined
}

/**
 * Decode any PostHog or Sentry ingestion request down to plain data, or return undefined when
 * the request is not one. Throws {@link DecodeError} (status 400/413/415) for a body the real
 * service would refuse, so a caller can answer with that status.
 *
 * @example
 * const decoded = decodeIngestRequest({ method, path, search, headers, body })
 * if (decoded?.kind === 'posthog-events') store(decoded.events)
 */
export function decodeIngestRequest(req: IngestRequest, options: DecodeIngestOptions = {}): DecodedIngest | undefined {
  const kind = classifyIngestRequest(req, options)
  const local = { ...req, path: localPath(req.path, options.basePath) }
  const decode = { budget: budgetOf(options) }
  if (kind === 'posthog-events' || kind === 'posthog-flags') {
    const endpoint = posthogEndpoint(local.path) as PostHogEndpoint
    return kind === 'posthog-events'
      ? { kind, endpoint, events: decodePostHogEvents(local, decode) }
      : { kind, endpoint, request: decodePostHogFlagsRequest(local, decode) }
  }
  if (kind === 'sentry-envelope') return { kind, envelope: decodeSentryRequest(local, decode) }
  if (req.method.toUpperCase() !== 'POST' || req.body.length === 0) return undefined
  const body = removeContentEncoding(req.headers, req.body, decode.budget)
  if (!isTunnelEnvelope(body)) return undefined
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.toLowerCase() !== 'content-encoding'))
  return { kind: 'sentry-envelope', envelope: decodeSentryRequest({ ...local, headers, body }, decode) }
}

function bytesAsText(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key]
  if (original instanceof Uint8Array) return text(original)
  if (typeof value === 'bigint') return value.toString()
  return value
}

/**
 * Everything a decoded structure contains as one string, binary attachments included as text,
 * so a test can assert a secret appears nowhere once every compression layer is gone.
 *
 * @example
 * expect(searchableText(fake.events())).not.toContain('hunter2')
 */
export function searchableText(value: unknown): string {
  return JSON.stringify(value, bytesAsText) ?? ''
}
