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
 *
 * A body is passed back only when its content type is one of `types`: these routes live on the
 * app's origin, so an upstream page of any other kind (an HTML login form, an error page) must
 * never render there. Such a response becomes a bodiless 502. A redirect keeps its status and a
 * `Location` that `rewriteLocation` approves, never its body.
 */
export function proxiedResponse(upstream: Response, types: readonly string[], rewriteLocation?: (location: string) => string | null): Response {
  const headers = pickHeaders(upstream.headers, RESPONSE_HEADERS)
  headers.set('x-content-type-options', 'nosniff')
  // Redirects and 304s: their bodies are never what the browser asked for.
  const redirect = upstream.status >= 300 && upstream.status < 400
  const empty = redirect || upstream.status === 204 || upstream.body === null || upstream.headers.get('content-length') === '0'
  if (!empty && !types.includes(mediaType(upstream.headers.get('content-type')))) {
    upstream.body?.cancel().catch(() => undefined)
    return new Response(null, { status: 502 })
  }
  if (empty) upstream.body?.cancel().catch(() => undefined)
  const location = upstream.headers.get('location')
  if (redirect && location && rewriteLocation) {
    const rewritten = rewriteLocation(location)
    if (rewritten) headers.set('location', rewritten)
  }
  return new Response(empty ? null : upstream.body, { status: upstream.status, headers })
}

/** `application/json; charset=utf-8` → `application/json`; '' when there is none. */
function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase()
}
