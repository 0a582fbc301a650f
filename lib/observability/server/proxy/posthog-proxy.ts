import 'server-only'
import { getConfig } from '../../edge/get-config'
import { POSTHOG_PROXY_PATH } from '../../shared/routes'
import { localPostHog } from '../local/local-ingest'
import { pickHeaders, proxiedResponse, upstreamSignal } from './forward'

/** Request headers PostHog needs; everything else (cookies, auth, tracing) stays here. */
const REQUEST_HEADERS = ['accept', 'accept-language', 'content-type', 'content-encoding', 'user-agent', 'if-none-match', 'if-modified-since']

/** One path segment of a PostHog API or asset path: no `..`, no encoded separators, nothing exotic. */
const SEGMENT = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/

export interface ProxyContext {
  params: Promise<{ path: string[] }>
}

/**
 * The same-origin PostHog reverse proxy (CONTRACT §9), for `app/%5Fox/p/[...path]/route.ts`:
 * `/_ox/p/<path>` goes to `POSTHOG_HOST/<path>`, and `/static/*` and `/array/*` (scripts, remote
 * config) to the matching assets host. Bodies stream both ways.
 *
 * Never an open proxy: the destination is always the configured host, the path must be plain
 * segments (no `..`, no absolute URL, no encoded slashes), redirects are not followed, and the
 * browser's cookies and credentials are never forwarded. 404 while PostHog is off. In local mode
 * (CONTRACT §10) nothing is forwarded: `localPostHog` answers and keeps the events on disk.
 *
 * @example
 * // app/%5Fox/p/[...path]/route.ts
 * export { posthogProxy as GET, posthogProxy as POST } from '@/lib/observability/server/proxy'
 */
export async function posthogProxy(request: Request, context: ProxyContext): Promise<Response> {
  const { posthog: config, local } = getConfig()
  if (!config.enabled) return new Response(null, { status: 404 })
  const { path } = await context.params
  if (!Array.isArray(path) || path.length === 0 || path.length > 12 || !path.every((s) => SEGMENT.test(s))) {
    return new Response(null, { status: 400 })
  }
  const url = new URL(request.url)
  // PostHog's API distinguishes `/e/` from `/e`; the catch-all param drops the trailing slash.
  const rest = `/${path.join('/')}${url.pathname.endsWith('/') ? '/' : ''}`
  // In local mode the host is this app itself: answer here instead of forwarding (CONTRACT §10).
  if (local) return localPostHog(request, rest)
  const base = path[0] === 'static' || path[0] === 'array' ? assetsHost(config.host) : config.host
  const target = new URL(`${base}${rest}${url.search}`)
  if (target.origin !== new URL(base).origin) return new Response(null, { status: 400 })

  const headers = pickHeaders(request.headers, REQUEST_HEADERS)
  // PostHog derives GeoIP from the client address, which it would otherwise see as ours.
  const clientIp = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim()
  if (clientIp) headers.set('x-forwarded-for', clientIp)
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
  return proxiedResponse(upstream, (location) => rewriteLocation(location, base))
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
