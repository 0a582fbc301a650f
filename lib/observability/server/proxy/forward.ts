import 'server-only'

/** Response headers worth passing back to the browser; hop-by-hop, cookies and CORS stay behind. */
const RESPONSE_HEADERS = ['content-type', 'cache-control', 'etag', 'last-modified', 'expires', 'retry-after', 'x-sentry-rate-limits']

/**
 * Copies only the named headers: an allowlist, so a header we did not think of (a cookie, an
 * auth token, a tracing header) never leaves for a third party.
 */
export function pickHeaders(from: Headers, names: readonly string[]): Headers {
  const out = new Headers()
  for (const name of names) {
    const value = from.get(name)
    if (value !== null) out.set(name, value)
  }
  return out
}

/** Aborts the upstream call when the browser goes away or the upstream is too slow. */
export function upstreamSignal(request: Request, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  return typeof AbortSignal.any === 'function' && request.signal ? AbortSignal.any([request.signal, timeout]) : timeout
}

/**
 * The upstream response as ours: status and body streamed through, allowlisted headers only.
 * `content-encoding` and `content-length` are dropped because fetch has already decoded the body.
 */
export function proxiedResponse(upstream: Response, rewriteLocation?: (location: string) => string | null): Response {
  const headers = pickHeaders(upstream.headers, RESPONSE_HEADERS)
  headers.set('x-content-type-options', 'nosniff')
  const location = upstream.headers.get('location')
  if (location && rewriteLocation) {
    const rewritten = rewriteLocation(location)
    if (rewritten) headers.set('location', rewritten)
  }
  const empty = upstream.status === 204 || upstream.status === 304 || upstream.body === null
  return new Response(empty ? null : upstream.body, { status: upstream.status, headers })
}
