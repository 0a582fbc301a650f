import 'server-only'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { LOCAL_POSTHOG_KEY, LOCAL_SENTRY_KEY } from '../../shared/config.js'
import { describePostHogEvent, describeSentryEnvelope, type LocalSource } from './local-event.js'
import { SENTRY_TUNNEL_PATH } from '../../shared/routes.js'
import { warnOnce } from '../fail-open.js'
import { settleWithin } from '../../shared/settle-within.js'
import {
  DEFAULT_REMOTE_CONFIG,
  DecodeError,
  type IngestRequest,
  MAX_DECODED_BYTES,
  MAX_POSTHOG_BODY_BYTES,
  MAX_SENTRY_BODY_BYTES,
  decodeIngestRequest,
  flagsResponse,
  posthogStaticName,
  readPosthogStatic,
  remoteConfigRequest,
  remoteConfigScript,
  staticContentType,
} from './ingest/index.js'
import { readCapped } from '../proxy/read-capped.js'
import { isSameOrigin, refuseRemote } from './local-access.js'
import { readLocalFlags } from './local-flags.js'
import { scrubStoredEnvelope, scrubStoredPostHogEvent } from './scrub-stored.js'
import { getLocalStore } from './local-store.js'

/** How long a request waits for its events to reach the disk before answering anyway. */
const WRITE_BUDGET_MS = 500

/**
 * Local mode's PostHog (docs/decisions/008-local-mode.md): what `/_ox/p/<rest>` answers instead
 * of forwarding. A PostHog project with replay and exception capture on, as far as the SDKs can
 * tell: remote config, `/flags` from `observability.flags.json`, posthog-js's lazy scripts from its
 * own `dist` folder, and capture endpoints that decode the real wire format and keep the events
 * on disk. Only for this machine (404 otherwise) and, for what it stores, only for the app's own
 * pages (403 for a page of another origin): see `local-access.ts`.
 *
 * @internal Called by `posthogProxy` in local mode.
 */
export async function localPostHog(request: Request, rest: string): Promise<Response> {
  const refused = refuseRemote(request)
  if (refused) return refused
  const method = request.method.toUpperCase()
  const config = remoteConfigRequest(rest)
  if (config && (method === 'GET' || method === 'HEAD')) {
    return config.script
      ? reply(200, remoteConfigScript(config.token, DEFAULT_REMOTE_CONFIG), 'application/javascript; charset=utf-8')
      : json(200, DEFAULT_REMOTE_CONFIG)
  }
  const staticName = posthogStaticName(rest)
  if (staticName && (method === 'GET' || method === 'HEAD')) {
    const file = readPosthogStatic(staticName, posthogDist())
    return file ? reply(200, new Uint8Array(file), staticContentType(staticName)) : json(404, { error: `no ${staticName} in posthog-js` })
  }
  return ingest(request, rest, MAX_POSTHOG_BODY_BYTES, async (decoded) => {
    if (decoded.kind === 'posthog-flags') return json(200, flagsResponse(await readLocalFlags(), {}, DEFAULT_REMOTE_CONFIG))
    if (decoded.kind !== 'posthog-events') return json(404, { error: 'not a PostHog endpoint' })
    if (decoded.events.some((e) => e.api_key !== undefined && e.api_key !== LOCAL_POSTHOG_KEY)) {
      return json(401, { error: 'this is local mode: events must carry the local project key' })
    }
    await store(decoded.events.map((event) => describePostHogEvent(scrubStoredPostHogEvent(event))))
    return json(200, { status: 'Ok' })
  })
}

/**
 * Local mode's Sentry: envelopes from the browser through the tunnel (`/_ox/s`) and from the
 * server SDK to its DSN's envelope endpoint (`/_ox/s/api/1/envelope/`). Accepted only for the
 * local DSN's key, as Relay accepts only its project's, and only from this machine and the app's
 * own pages, like {@link localPostHog}.
 *
 * @internal Called by `sentryTunnel` and `localSentryIngest` in local mode.
 */
export async function localSentry(request: Request, source: LocalSource): Promise<Response> {
  const refused = refuseRemote(request)
  if (refused) return refused
  const path = new URL(request.url).pathname
  return ingest(request, path, MAX_SENTRY_BODY_BYTES, async (decoded) => {
    if (decoded.kind !== 'sentry-envelope') return json(404, { error: 'not a Sentry endpoint' })
    if (decoded.envelope.auth.publicKey !== LOCAL_SENTRY_KEY) return json(403, { error: 'this is local mode: envelopes must use the local DSN' })
    await store([describeSentryEnvelope(scrubStoredEnvelope(decoded.envelope), source)])
    return json(200, decoded.envelope.header.event_id ? { id: decoded.envelope.header.event_id } : {})
  })
}

type Decoded = NonNullable<ReturnType<typeof decodeIngestRequest>>

/**
 * Reads, decodes and hands over one request; a body the real service would refuse gets its
 * status and is not stored. A page of another origin is refused before its body is read.
 */
async function ingest(request: Request, path: string, maxBytes: number, accept: (decoded: Decoded) => Promise<Response>): Promise<Response> {
  if (!isSameOrigin(request)) return json(403, { error: 'local mode takes events only from this app’s own pages' })
  try {
    const body = await readCapped(request, maxBytes)
    if (!body) return json(413, { error: `body larger than ${maxBytes} bytes` })
    const url = new URL(request.url)
    const req: IngestRequest = { method: request.method, path, search: url.search, headers: Object.fromEntries(request.headers), body }
    const decoded = decodeIngestRequest(req, { tunnelPaths: [SENTRY_TUNNEL_PATH], maxBytes: MAX_DECODED_BYTES })
    if (!decoded) return json(404, { error: `local mode has no ${request.method} ${path}` })
    return await accept(decoded)
  } catch (error) {
    if (error instanceof DecodeError) return json(error.status, { error: error.message })
    warnOnce('local mode ingestion', error)
    return json(500, { error: 'local mode could not take this request' })
  }
}

/** Waits briefly for the disk: the SDK gets its answer even when the disk is slow. */
function store(events: Parameters<ReturnType<typeof getLocalStore>['append']>[0]): Promise<void> {
  return settleWithin(getLocalStore().append(events), WRITE_BUDGET_MS)
}

let dist: string | undefined

/** posthog-js's `dist` folder as the app resolves it (hoisted in a monorepo, or in `node_modules`). */
function posthogDist(): string {
  if (dist) return dist
  try {
    dist = dirname(createRequire(join(process.cwd(), 'package.json')).resolve('posthog-js'))
  } catch {
    dist = join(process.cwd(), 'node_modules', 'posthog-js', 'dist')
  }
  return dist
}

function json(status: number, body: unknown): Response {
  return reply(status, JSON.stringify(body), 'application/json')
}

function reply(status: number, body: string | Uint8Array<ArrayBuffer>, type: string): Response {
  return new Response(body, { status, headers: { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } })
}
