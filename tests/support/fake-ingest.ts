import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import { createRequire } from 'node:module'
import { type Socket, createServer as createNetServer } from 'node:net'
import { dirname } from 'node:path'
import {
  DecodeError,
  type DecodedIngest,
  type PostHogEvent,
  type PostHogFlagsRequest,
  type SentryEnvelopeItem,
  type SentryEnvelopeRequest,
  type SentryEvent,
  type SentryItemHeader,
  DEFAULT_REMOTE_CONFIG,
  type FlagValue,
  classifyIngestRequest,
  decodeIngestRequest,
  flagsResponse,
  posthogStaticName,
  readPosthogStatic,
  remoteConfigRequest,
  remoteConfigScript,
  staticContentType,
} from '../../lib/observability/server/local/ingest'

// The answer-builders live in the kit (local mode answers the SDKs the same way); re-exported so
// tests keep importing them from here.
export { DEFAULT_REMOTE_CONFIG, flagsResponse, remoteConfigScript, type FlagValue }

/**
 * A local PostHog + Sentry ingestion server that decodes the SDKs' real wire traffic, so tests
 * assert on what would reach production instead of on mocks. Works under vitest and from a
 * plain Node script (bench); `sink: true` skips decoding and logging for load tests.
 */

export type FakeMode = 'ok' | 'fail500' | 'hang'
export type RequestKind = 'preflight' | 'posthog-config' | 'posthog-static' | 'posthog-events' | 'posthog-flags' | 'sentry-envelope' | 'other'

export interface FakeIngestOptions {
  /** Flag values served by `/flags/`: `true`/`false`, or a variant name. */
  flags?: Record<string, FlagValue>
  /** Payloads per flag, sent JSON-encoded in `metadata.payload` as PostHog does. */
  flagPayloads?: Record<string, unknown>
  /** Shallow-merged over the default remote config (e.g. `{ sessionRecording: false }`). */
  remoteConfig?: Record<string, unknown>
  mode?: FakeMode
  /** Answer every ingestion request 200 without decoding or logging it (benchmarks). */
  sink?: boolean
  /** Extra Sentry tunnel pathnames; envelopes with a `dsn` header are accepted on any path anyway. */
  tunnelPaths?: string[]
  sentryProjectId?: string
  sentryKey?: string
  /** Refuse envelopes whose key/project differ from this server's DSN, as Relay does (default true). */
  checkSentryAuth?: boolean
}

export interface RecordedRequest {
  method: string
  path: string
  search: string
  headers: Record<string, string>
  body: Uint8Array
  kind: RequestKind
  /** 0 while unanswered (or forever in 'hang' mode). */
  status: number
  at: number
  /** The client gave up on it before it was answered (its timeout fired, in 'hang' mode). */
  abandoned: boolean
}

export interface RejectedRequest {
  method: string
  path: string
  status: number
  reason: string
  headers: Record<string, string>
  body: Uint8Array
}

export interface SentryEventItem extends SentryEnvelopeItem {
  type: 'event'
  header: SentryItemHeader
  payload: SentryEvent
}

export interface WaitForOptions {
  timeoutMs?: number
  intervalMs?: number
  /** Prefix for the timeout error, e.g. what the test was waiting for. */
  message?: string
}

export interface FakeIngest {
  readonly url: string
  readonly port: number
  /** `api_host` for posthog-js and `host` for posthog-node. */
  readonly posthogHost: string
  /** `http://<key>@127.0.0.1:<port>/<project>` */
  readonly sentryDsn: string
  events(): PostHogEvent[]
  flagRequests(): PostHogFlagsRequest[]
  sentry(): SentryEnvelopeRequest[]
  sentryItems(type?: string): SentryEnvelopeItem[]
  sentryEvents(): SentryEventItem[]
  requests(): RecordedRequest[]
  rejected(): RejectedRequest[]
  stats(): { requests: number; bytes: number }
  /** Poll until `predicate` returns a truthy value (a throwing predicate counts as not yet). */
  waitFor<T>(predicate: (fake: FakeIngest) => T | undefined | null | false | 0 | '', options?: WaitForOptions): Promise<T>
  clear(): void
  setMode(mode: FakeMode): void
  setFlags(flags: Record<string, FlagValue>, payloads?: Record<string, unknown>): void
  close(): Promise<void>
}

const POSTHOG_DIST = dirname(createRequire(import.meta.url).resolve('posthog-js'))

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}

function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin
  const out: Record<string, string> = {
    'access-control-allow-origin': origin ?? '*',
    'access-control-expose-headers': 'X-Sentry-Rate-Limits, Retry-After',
    vary: 'Origin',
  }
  if (origin) out['access-control-allow-credentials'] = 'true'
  return out
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function count<T>(values: T[]): string {
  const counts = new Map<T, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts].map(([v, n]) => (n > 1 ? `${String(v)} x${n}` : String(v))).join(', ') || '-'
}

/**
 * Start the fake on 127.0.0.1 with an ephemeral port.
 *
 * @example
 * const fake = await startFakeIngest({ flags: { 'new-checkout': true } })
 * const ph = new PostHog('phc_test', { host: fake.posthogHost, flushAt: 1 })
 * await fake.waitFor((f) => f.events().find((e) => e.event === 'signed_up'))
 * await fake.close()
 */
export async function startFakeIngest(opts: FakeIngestOptions = {}): Promise<FakeIngest> {
  const projectId = opts.sentryProjectId ?? '42'
  const sentryKey = opts.sentryKey ?? 'testkey'
  const config = { ...DEFAULT_REMOTE_CONFIG, ...opts.remoteConfig }
  let mode: FakeMode = opts.mode ?? 'ok'
  let flags = { ...opts.flags }
  let payloads = { ...opts.flagPayloads }
  let events: PostHogEvent[] = []
  let flagRequests: PostHogFlagsRequest[] = []
  let envelopes: SentryEnvelopeRequest[] = []
  let requests: RecordedRequest[] = []
  let rejected: RejectedRequest[] = []
  const stats = { requests: 0, bytes: 0 }
  const sockets = new Set<Socket>()

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest | undefined,
    status: number,
    body: string | Buffer,
    type = 'application/json',
  ) => {
    if (record) record.status = status
    res.writeHead(status, { ...corsHeaders(req), 'content-type': type, 'cache-control': 'no-store' })
    res.end(body)
  }

  const accept = (decoded: DecodedIngest): [number, unknown] => {
    if (decoded.kind === 'posthog-events') {
      events.push(...decoded.events)
      return [200, { status: 'Ok' }]
    }
    if (decoded.kind === 'posthog-flags') {
      flagRequests.push(decoded.request)
      return [200, flagsResponse(flags, payloads, config)]
    }
    const { auth, header } = decoded.envelope
    if (opts.checkSentryAuth !== false && (auth.publicKey !== sentryKey || auth.projectId !== projectId)) {
      throw new DecodeError(`Sentry auth (${auth.source}) key=${auth.publicKey} project=${auth.projectId} does not match ${sentryKey}/${projectId}`, 403)
    }
    envelopes.push(decoded.envelope)
    return [200, header.event_id ? { id: header.event_id } : {}]
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake')
    const method = (req.method ?? 'GET').toUpperCase()
    const body = await readBody(req)
    stats.requests++
    stats.bytes += body.length
    const base = { method, path: url.pathname, search: url.search, headers: flatHeaders(req), body: new Uint8Array(body) }
    const kind: RequestKind =
      method === 'OPTIONS'
        ? 'preflight'
        : remoteConfigRequest(url.pathname)
          ? 'posthog-config'
          : posthogStaticName(url.pathname)
            ? 'posthog-static'
            : (classifyIngestRequest(base, { tunnelPaths: opts.tunnelPaths }) ?? 'other')
    const record: RecordedRequest | undefined = opts.sink ? undefined : { ...base, kind, status: 0, at: Date.now(), abandoned: false }
    if (record) {
      requests.push(record)
      res.once('close', () => {
        if (!res.writableFinished) record.abandoned = true
      })
    }

    if (kind === 'preflight') {
      if (record) record.status = 204
      res.writeHead(204, {
        ...corsHeaders(req),
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
        'access-control-allow-private-network': 'true',
        'access-control-max-age': '600',
      })
      return void res.end()
    }
    if (kind === 'posthog-config' && method === 'GET') {
      const { token = '', script = false } = remoteConfigRequest(url.pathname) ?? {}
      return script
        ? send(req, res, record, 200, remoteConfigScript(token, config), 'application/javascript; charset=utf-8')
        : send(req, res, record, 200, JSON.stringify(config))
    }
    if (kind === 'posthog-static' && method === 'GET') {
      const name = posthogStaticName(url.pathname) ?? ''
      const file = readPosthogStatic(name, POSTHOG_DIST)
      if (!file) return send(req, res, record, 404, JSON.stringify({ error: `no ${name} in posthog-js/dist` }))
      return send(req, res, record, 200, file, staticContentType(name))
    }
    if (method === 'POST' || kind !== 'other') {
      if (mode === 'hang') return
      if (mode === 'fail500') return send(req, res, record, 500, JSON.stringify({ error: 'fake ingest in fail500 mode' }))
    }
    if (opts.sink) {
      if (kind === 'posthog-flags') return send(req, res, record, 200, JSON.stringify(flagsResponse(flags, payloads, config)))
      return send(req, res, record, 200, kind === 'posthog-events' ? '{"status":"Ok"}' : '{}')
    }
    try {
      const decoded = decodeIngestRequest(base, { tunnelPaths: opts.tunnelPaths })
      if (!decoded) return send(req, res, record, 404, JSON.stringify({ error: `fake ingest has no ${method} ${url.pathname}` }))
      if (record && decoded.kind === 'sentry-envelope') record.kind = 'sentry-envelope'
      const [status, reply] = accept(decoded)
      return send(req, res, record, status, JSON.stringify(reply))
    } catch (error) {
      const status = error instanceof DecodeError ? error.status : 500
      const reason = error instanceof Error ? error.message : String(error)
      rejected.push({ method, path: url.pathname, status, reason, headers: base.headers, body: base.body })
      return send(req, res, record, status, JSON.stringify({ error: reason }))
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, corsHeaders(req))
      res.end(String(error))
    })
  })
  server.keepAliveTimeout = 1000
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('fake ingest did not get a TCP port')
  const port = address.port
  const url = `http://127.0.0.1:${port}`

  const summary = (): string => {
    const items = envelopes.flatMap((e) => e.items.map((i) => i.type))
    const lastRequests = requests.slice(-15).map((r) => `${r.method} ${r.path} → ${r.status || 'pending'}`)
    return [
      `mode: ${mode}`,
      `PostHog events (${events.length}): ${count(events.map((e) => e.event))}`,
      `PostHog flags requests: ${flagRequests.length}`,
      `Sentry envelopes (${envelopes.length}), items: ${count(items)}`,
      `rejected (${rejected.length}): ${rejected.map((r) => `${r.method} ${r.path} ${r.status} ${r.reason}`).join(' | ') || '-'}`,
      `requests (${requests.length}, last ${lastRequests.length}): ${lastRequests.join('; ') || '-'}`,
    ].join('\n  ')
  }

  const api: FakeIngest = {
    url,
    port,
    posthogHost: url,
    sentryDsn: `http://${sentryKey}@127.0.0.1:${port}/${projectId}`,
    events: () => [...events],
    flagRequests: () => [...flagRequests],
    sentry: () => [...envelopes],
    sentryItems: (type) => envelopes.flatMap((e) => e.items).filter((i) => type === undefined || i.type === type),
    sentryEvents: () => api.sentryItems('event') as SentryEventItem[],
    requests: () => [...requests],
    rejected: () => [...rejected],
    stats: () => ({ ...stats }),
    async waitFor(predicate, options = {}) {
      const { timeoutMs = 10_000, intervalMs = 25, message = 'fake ingest waitFor' } = options
      const deadline = Date.now() + timeoutMs
      let lastError: unknown
      for (;;) {
        try {
          const value = predicate(api)
          if (value) return value
        } catch (error) {
          lastError = error
        }
        if (Date.now() >= deadline) {
          const why = lastError ? `\n  last predicate error: ${lastError instanceof Error ? lastError.message : String(lastError)}` : ''
          throw new Error(`${message}: timed out after ${timeoutMs} ms. Arrived so far:\n  ${summary()}${why}`)
        }
        await new Promise((r) => setTimeout(r, intervalMs))
      }
    },
    clear() {
      events = []
      flagRequests = []
      envelopes = []
      requests = []
      rejected = []
      stats.requests = 0
      stats.bytes = 0
    },
    setMode(next) {
      mode = next
    },
    setFlags(next, nextPayloads) {
      flags = { ...next }
      if (nextPayloads) payloads = { ...nextPayloads }
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return api
}

/**
 * A port with nothing listening (bound, then released), for connection-refused tests. Another
 * process could in theory claim it meanwhile; tests only need it refused for a few seconds.
 */
export async function startRefusingPort(): Promise<{ port: number; url: string; sentryDsn: string }> {
  const srv = createNetServer()
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => resolve())
  })
  const address = srv.address()
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  if (!address || typeof address === 'string') throw new Error('could not reserve a port')
  const url = `http://127.0.0.1:${address.port}`
  return { port: address.port, url, sentryDsn: `http://testkey@127.0.0.1:${address.port}/42` }
}
