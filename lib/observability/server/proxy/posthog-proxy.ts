import 'server-only'
import { getConfig } from '../../shared/get-config.js'
import { POSTHOG_PROXY_PATH } from '../../shared/routes.js'
import { localPostHog } from '../local/local-ingest.js'
import { clientIp } from './client-ip.js'
import { pickHeaders, proxiedResponse, upstreamSignal } from './forward.js'
import { posthogRoute } from './posthog-routes.js'

/**
 * Request headers PostHog needs; everything else (cookies, auth, tracing, the client's own
 * `X-Forwarded-For`) stays here. `x-conversations-token` is the conversations widget's public
 * token, which posthog-js sends with each of the widget's requests.
 */
const REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  'content-encoding',
  'user-agent',
  'if-none-match',
  'if-modified-since',
  'x-conversations-token',
]

/** One path segment of a PostHog API or asset path: no `..`, no encoded separators, nothing exotic. */
const SEGMENT = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/

export interface ProxyContext {
  params: Promise<{ path: string[] }>
}

/**
 * The same-origin PostHog reverse proxy, for `app/%5Fox/p/[...path]/route.ts`: `/_ox/p/<path>`
 * goes to `POSTHOG_HOST/<path>`, and `/static/*` and `/array/*` (scripts, remote config) to the
 * matching assets host. Bodies stream both ways.
 *
 * A door to ingestion only (docs/configuration.md, "Same-origin routes"):
 * - only the paths the SDKs request are forwarded (`posthogRoute`); any other path, or one that
 *   is not plain segments (`..`, encoded separators, absolute URLs), answers 404 without
 *   contacting PostHog;
 * - a response is passed back only with the content types its endpoint serves (JSON, scripts,
 *   plain-text errors): an HTML page, say, becomes a bodiless 502;
 * - the destination is always the configured host, redirects are not followed, and the
 *   browser's cookies and credentials are never forwarded;
 * - the client's address is forwarded only as `OBSERVABILITY_TRUSTED_PROXY_HOPS` allows
 *   (`clientIp`), never as the client wrote it.
 *
 * 404 while PostHog is off. In local mode nothing is forwarded: `localPostHog` answers the same
 * paths and keeps the events on disk.
 *
 * @example
 * // app/%5Fox/p/[...path]/route.ts
 * export { GET, POST } from 'nextjs-observability-kit/routes/posthog-proxy'
 */
export async function posthogProxy(request: Request, context: ProxyContext): Promise<Response> {
  const config = getConfig()
  const posthog = config.posthog
  if (!posthog.enabled) return notFound()
  const { path } = await context.params
  if (!Array.isArray(path) || path.length === 0 || path.length > 12 || !path.every((s) => SEGMENT.test(s))) return notFound()
  const url = new URL(request.url)
  // PostHog's API distinguishes `/e/` from `/e`; the catch-all param drops the trailing slash.
  const rest = `/${path.join('/')}${url.pathname.endsWith('/') ? '/' : ''}`
  const route = posthogRoute(rest, posthog.apiKey)
  if (!route) return notFound()
  // In local mode the host is this app itself: answer here instead of forwarding (docs/decisions/008).
  if (config.local) return localPostHog(request, rest)
  const base = route.host === 'assets' ? assetsHost(posthog.host) : posthog.host
  const target = new URL(`${base}${rest}${url.search}`)
  if (target.origin !== new URL(base).origin) return notFound()

  const headers = pickHeaders(request.headers, REQUEST_HEADERS)
  // PostHog derives GeoIP from the address it is given, else from ours.
  const ip = clientIp(request.headers, config.trustedProxyHops)
  if (ip) headers.set('x-forwarded-for', ip)
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  let upstream: Response
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      redirect: 'manual',
      signal: upstreamSignal(request, hasBody ? 30_000 : 10_000),
      // Streams the browser's body instead of buffering it (required by fetch for a stream body).
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit)
  } catch {
    return new Response(null, { status: 502 })
  }
  return proxiedResponse(upstream, route.types, (location) => rewriteLocation(location, base))
}

/**
 * PostHog Cloud serves scripts and remote config from a separate assets host
 * (`us-assets.i.posthog.com`); self-hosted and other hosts serve them themselves.
 */
export function assetsHost(apiHost: string): string {
  return apiHost.replace(/^(https?:\/\/)(us|eu)\.i\.posthog\.com$/i, '$1$2-assets.i.posthog.com')
}

/** A redirect within PostHog stays behind the proxy; one to anywhere else is dropped. */
function rewriteLocation(location: string, base: string): string | null {
  try {
    const from = new URL(base)
    const to = new URL(location, base)
    const prefix = from.pathname.replace(/\/+$/, '')
    if (to.origin !== from.origin || !to.pathname.startsWith(`${prefix}/`)) return null
    return `${POSTHOG_PROXY_PATH}${to.pathname.slice(prefix.length)}${to.search}`
  } catch {
    return null
  }
}

function notFound(): Response {
  return new Response(null, { status: 404 })
}
