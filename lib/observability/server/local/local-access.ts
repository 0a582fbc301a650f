import 'server-only'
import { isIP } from 'node:net'
import { getConfig } from '../../shared/get-config.js'
import { clientAddress, watcherJustStarted } from './client-address.js'

/**
 * Who may use local mode's routes (docs/configuration.md, "Local mode"). Local mode keeps
 * everything the app's users did, replays included, and writes whatever it is sent to disk, so:
 *
 * - only this machine: the client address must be loopback, and the `Host` must be a name that
 *   cannot be rebound to this machine by someone else's DNS (`localhost`, `*.localhost`, an IP
 *   literal), so a page elsewhere cannot read the timeline through DNS rebinding either;
 *   `OBSERVABILITY_LOCAL_ALLOW_REMOTE=1` lifts both;
 * - only the app's own pages: a browser request from another origin never stores anything.
 */

/**
 * The answer for a request that may not reach local mode's routes, or undefined when it may: a
 * loopback client using a local host name, or anyone when `OBSERVABILITY_LOCAL_ALLOW_REMOTE` is
 * on. Everyone else gets 404, as if the routes did not exist. A request whose address is not
 * known because it reached the server before the address watcher started is sent to the same URL
 * again (307, method and body kept), where it is known.
 *
 * @example
 * const refused = refuseRemote(request)
 * if (refused) return refused
 */
export function refuseRemote(request: Request): Response | undefined {
  if (getConfig().localAllowRemote) return undefined
  const address = clientAddress(request)
  if (address === undefined && watcherJustStarted()) return sameUrlAgain(request)
  return isLoopback(address) && isLocalHostName(request.headers.get('host')) ? undefined : localNotFound()
}

function sameUrlAgain(request: Request): Response {
  const url = new URL(request.url)
  return new Response(null, { status: 307, headers: { location: `${url.pathname}${url.search}`, 'cache-control': 'no-store', 'retry-after': '0' } })
}

/**
 * True unless a browser sent the request from a page of another origin. Browsers say where a
 * request comes from in headers a page cannot set (`Origin`, `Sec-Fetch-Site`); a request with
 * neither is not from a browser page (the kit's own server SDKs post to 127.0.0.1 without them).
 * `Origin: null` (sandboxed frames, `file:` pages, some redirects) is never the app itself.
 *
 * @example
 * if (!isSameOrigin(request)) return json(403, { error: 'cross-origin' })
 */
export function isSameOrigin(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site')
  if (site !== null && site !== 'same-origin' && site !== 'none') return false
  const origin = request.headers.get('origin')
  if (origin === null) return true
  const host = request.headers.get('host')
  if (origin === 'null' || !host || !HOST.test(host)) return false
  try {
    const from = new URL(origin)
    if (from.protocol !== 'http:' && from.protocol !== 'https:') return false
    // Host and port only: behind a TLS proxy the page is https and the request reaching us is
    // http. Read with the Origin's scheme so that a default port is written the same way.
    return from.host === new URL(`${from.protocol}//${host}`).host
  } catch {
    return false
  }
}

/**
 * What local mode answers a client it does not serve, and outside local mode: the plain 404 of
 * a route that does not exist, with nothing that tells it apart.
 */
export function localNotFound(): Response {
  return new Response('Not Found', {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  })
}

/** 127.0.0.0/8, `::1`, and IPv4 loopback as a dual-stack socket reports it (`::ffff:127.0.0.1`). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const lower = address.toLowerCase()
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1] ?? lower
  if (isIP(v4) === 4) return v4.startsWith('127.')
  if (isIP(lower) !== 6) return false
  try {
    return new URL(`http://[${lower}]`).hostname === '[::1]'
  } catch {
    return false
  }
}

/** A `Host` header as clients send it: a name or IP literal and an optional port, nothing else. */
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i

/**
 * `localhost`, a `*.localhost` name (browsers resolve both to loopback themselves) or an IP
 * literal: names no one else's DNS can point at this machine.
 */
export function isLocalHostName(host: string | null): boolean {
  if (!host || !HOST.test(host)) return false
  const hostname = host.replace(/:\d+$/, '').toLowerCase().replace(/\.$/, '')
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true
  return isIP(hostname.replace(/^\[|\]$/g, '')) !== 0
}
