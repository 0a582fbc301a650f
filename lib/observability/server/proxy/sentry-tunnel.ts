import 'server-only'
import { dsnToString, getEnvelopeEndpointWithUrlEncodedAuth, makeDsn } from '@sentry/core'
import { getConfig } from '../../shared/get-config.js'
import { localSentry } from '../local/local-ingest.js'
import { proxiedResponse, upstreamSignal } from './forward.js'
import { readCapped } from './read-capped.js'

/** Relay accepts compressed replay segments up to 10 MiB; anything larger is not a real envelope. */
const MAX_ENVELOPE_BYTES = 10 * 1024 * 1024
/** The envelope header is one JSON line; if it is not in the first 64 KiB, it is not an envelope. */
const MAX_HEADER_BYTES = 64 * 1024
/** Relay answers JSON (`{"id":…}`, `{"detail":…}`); plain text covers a bare error in between. */
const RELAY_TYPES = ['application/json', 'text/plain']

/**
 * The same-origin Sentry tunnel, for `app/%5Fox/s/route.ts`: the browser SDK posts envelopes here
 * (`tunnel: '/_ox/s'`), and they are forwarded to the envelope endpoint of the configured
 * `SENTRY_DSN` only if the envelope's own `dsn` header names that DSN. The upstream URL is built
 * from the configured DSN, never from the request, so this cannot be used to reach another host.
 * 404 while Sentry is off.
 *
 * The same DSN check as `@sentry/nextjs/tunnel` (`handleTunnelRequest` in `@sentry/core`), plus
 * what the kit needs and that handler leaves out (docs/decisions/012): a body size bound, no
 * client address or other browser header forwarded (only the envelope and its content type), an
 * upstream timeout, and a response carrying only JSON or text and the rate-limit headers. In
 * local mode nothing is forwarded: `localSentry` decodes the envelope and keeps it on disk.
 *
 * @example
 * // app/%5Fox/s/route.ts
 * export { POST } from 'nextjs-observability-kit/routes/sentry-tunnel'
 */
export async function sentryTunnel(request: Request): Promise<Response> {
  const { sentry: config, local } = getConfig()
  if (!config.enabled) return new Response(null, { status: 404 })
  // In local mode the DSN points at this app itself: answer here instead of forwarding (docs/decisions/008).
  if (local) return localSentry(request, 'browser')
  const configured = makeDsn(config.dsn)
  if (!configured) return new Response(null, { status: 404 })

  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > MAX_ENVELOPE_BYTES) return text(413, 'Envelope too large')
  const body = await readCapped(request, MAX_ENVELOPE_BYTES)
  if (!body) return text(413, 'Envelope too large')

  const dsn = envelopeDsn(body)
  if (dsn === undefined) return text(400, 'Invalid envelope')
  // The SDK writes the DSN back in canonical form; parsing the sender's would let anyone fill
  // our logs with Sentry's "Invalid Dsn" errors.
  if (dsn !== dsnToString(configured) && dsn !== config.dsn) return text(403, 'DSN not allowed')

  try {
    const upstream = await fetch(getEnvelopeEndpointWithUrlEncodedAuth(configured), {
      method: 'POST',
      headers: { 'content-type': 'application/x-sentry-envelope' },
      body,
      redirect: 'manual',
      signal: upstreamSignal(request, 10_000),
    })
    return proxiedResponse(upstream, RELAY_TYPES)
  } catch {
    return new Response(null, { status: 502 })
  }
}

/** The `dsn` of the envelope header (its first line), or undefined when there is none. */
export function envelopeDsn(body: Uint8Array): string | undefined {
  const end = body.indexOf(0x0a)
  const line = body.subarray(0, end === -1 ? Math.min(body.length, MAX_HEADER_BYTES) : Math.min(end, MAX_HEADER_BYTES))
  try {
    const header = JSON.parse(new TextDecoder().decode(line)) as { dsn?: unknown } | null
    return header && typeof header.dsn === 'string' ? header.dsn : undefined
  } catch {
    return undefined
  }
}

function text(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } })
}
