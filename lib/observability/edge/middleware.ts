import { NextRequest, NextResponse, type NextFetchEvent } from 'next/server'
import {
  BROWSER_CONFIG_COOKIE,
  browserCanReadServerTiming,
  browserConfigTimingEntry,
  encodedConfigPart,
  toBrowserConfig,
  type BrowserConfig,
} from '../shared/browser-config.js'
import type { ObservabilityConfig } from '../shared/config.js'
import { REQUEST_ID_HEADER, resolveRequestId } from '../shared/request-id.js'
import { getConfig } from '../shared/get-config.js'

/** Any middleware or proxy function an app may already have (auth, i18n…). */
export type AppMiddleware = (request: NextRequest, event: NextFetchEvent) => Response | null | undefined | void | Promise<Response | null | undefined | void>

/**
 * Gives every request an `X-Request-ID` (docs/events.md) and hands the browser its runtime config.
 * Web APIs only: the same function runs from an Edge `middleware.ts` and a Node `proxy.ts`.
 *
 * Pass your own middleware to compose: it receives the request with `x-request-id` already set,
 * and whatever it returns (next, rewrite, redirect, or its own response) keeps its behaviour and
 * gains the header.
 *
 * @example
 * // middleware.ts (Edge) or proxy.ts (Node, Next 16)
 * import { withObservability } from 'nextjs-observability-kit/edge'
 * export default withObservability(async (req) => {
 *   if (!req.cookies.has('session')) return NextResponse.redirect(new URL('/login', req.url))
 * })
 * export const config = { matcher: ['/((?!_next/static|_next/image|_ox/|favicon.ico).*)'] }
 */
export function withObservability(app?: AppMiddleware) {
  return async function observabilityMiddleware(request: NextRequest, event: NextFetchEvent): Promise<Response> {
    const requestId = resolveRequestId(request.headers.get(REQUEST_ID_HEADER))
    const forwarded = new Headers(request.headers)
    forwarded.set(REQUEST_ID_HEADER, requestId)

    let response: Response | null | undefined | void
    if (app) {
      response = await app(new NextRequest(request, { headers: forwarded, nextConfig: nextConfigOf(request) }), event)
    }
    if (!response) response = NextResponse.next({ request: { headers: forwarded } })
    else if (continuesToApp(response)) forwardRequestHeader(response.headers, forwarded, requestId)

    response.headers.set(REQUEST_ID_HEADER, requestId)
    if (isDocumentRequest(request) && continuesToApp(response)) handBrowserConfig(request, response, requestId)
    return response
  }
}

/** The standalone middleware: `export { middleware } from './index.js'`. */
export const middleware = withObservability()

function continuesToApp(response: Response): boolean {
  return response.headers.has('x-middleware-next') || response.headers.has('x-middleware-rewrite')
}

/**
 * Next forwards only the headers listed in `x-middleware-override-headers` when that list is
 * present, so an app response that already overrides headers gets our id appended to its list;
 * one that does not gets the full current set, as `NextResponse.next({ request })` would write.
 */
function forwardRequestHeader(headers: Headers, forwarded: Headers, requestId: string): void {
  const list = headers.get('x-middleware-override-headers')
  if (list === null) {
    const keys: string[] = []
    forwarded.forEach((value, key) => {
      headers.set(`x-middleware-request-${key}`, value)
      keys.push(key)
    })
    headers.set('x-middleware-override-headers', keys.join(','))
    return
  }
  const keys = list
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
  if (!keys.includes(REQUEST_ID_HEADER)) headers.set('x-middleware-override-headers', [...keys, REQUEST_ID_HEADER].join(','))
  headers.set(`x-middleware-request-${REQUEST_ID_HEADER}`, requestId)
}

function isDocumentRequest(request: Request): boolean {
  if (request.method !== 'GET') return false
  const dest = request.headers.get('sec-fetch-dest')
  if (dest) return dest === 'document'
  return !request.headers.has('rsc') && (request.headers.get('accept') ?? '').includes('text/html')
}

/**
 * The config and the document's request id travel in a `Server-Timing` entry, which the page
 * reads from its navigation timing: a plain response header, so static pages stay static, no
 * extra request is needed before the SDKs start, and nothing is stored in the browser. Where a
 * browser may not show that entry to scripts (plain HTTP on a non-local host, Safari before
 * 16.4), a short-lived cookie carries the same value instead. Next splits every `Set-Cookie` a
 * middleware returns character by character, twice: a cookie on every page view was a visible
 * share of serving a static page (docs/decisions/011, with the figures).
 */
function handBrowserConfig(request: NextRequest, response: Response, requestId: string): void {
  const encoded = browserConfigPart(request.nextUrl.basePath)
  if (encoded) {
    const value = `${requestId}~${encoded}`
    if (browserCanReadServerTiming(request.nextUrl, request.headers)) response.headers.append('server-timing', browserConfigTimingEntry(value))
    else response.headers.append('set-cookie', `${BROWSER_CONFIG_COOKIE}=${value}; Path=/; Max-Age=120; SameSite=Lax`)
  } else if (request.cookies.has(BROWSER_CONFIG_COOKIE)) {
    response.headers.append('set-cookie', `${BROWSER_CONFIG_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax`)
  }
}

let cached: { config: ObservabilityConfig; basePath: string; part: string | null } | undefined

/** The config and the app's basePath are fixed for the life of the process: encode them once, not on every page view. */
function browserConfigPart(basePath: string): string | null {
  const config = getConfig()
  if (cached?.config !== config || cached.basePath !== basePath) {
    const browser = toBrowserConfig(config, '', basePath)
    cached = { config, basePath, part: browser ? encodedConfigPart(withoutRid(browser)) : null }
  }
  return cached.part
}

function withoutRid({ rid: _rid, ...rest }: BrowserConfig): Omit<BrowserConfig, 'rid'> {
  return rest
}

/** Keeps basePath so the app's `nextUrl` reads the same as the original's. */
function nextConfigOf(request: NextRequest) {
  return { basePath: request.nextUrl.basePath || undefined }
}
