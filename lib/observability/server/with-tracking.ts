import 'server-only'
import { winterCGRequestToRequestData } from '@sentry/core'
import type { UserImpactRule } from '../shared/categorize.js'
import { httpStatus } from '../shared/categorize.js'
import { controlFlowStatus, isNextControlFlow } from './next-control-flow.js'
import { REQUEST_ID_HEADER, resolveRequestId } from '../shared/request-id.js'
import { routePattern } from './route-pattern.js'
import { isUntrackedPath } from '../shared/routes.js'
import type { ObservedUser } from '../shared/user.js'
import { recordRequest } from './record-request.js'
import { runWithRequestContext, type RequestContext } from './request-context.js'
import { loadedSentry } from './sentry.js'
import { traceRequest, type TraceLink } from './trace-request.js'

/** Any App Router route handler: `(request, { params }) => Response`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RouteHandler = (request: Request, context: any) => Response | Promise<Response>

export interface TrackingOptions {
  /**
   * The signed-in user, from your own session. Called after the response is sent, so a slow
   * session lookup never delays it. What reaches the backends follows `POSTHOG_IDENTIFY_PII`.
   */
  getUser?: (request: Request) => ObservedUser | null | undefined | Promise<ObservedUser | null | undefined>
  /** Overrides the route pattern derived from the URL and params (e.g. `/api/items/[id]`). */
  endpoint?: string
  /** Rules for Sentry's `user_impact` tag; the first that answers wins, then the default rule. */
  userImpact?: readonly UserImpactRule[]
  /** Overrides `SLOW_REQUEST_THRESHOLD_MS` for this route (a report export may be slow by design). */
  slowRequestThresholdMs?: number
}

/**
 * Wraps a route handler: `api_request` for every request, `api_error` + one Sentry event + one
 * PostHog `$exception` for every failure, `slow_request` past the threshold, all carrying the
 * request id. Keeps the handler's type. Telemetry runs after the response and can never break it.
 * A thrown error answers JSON `{ error, request_id }` with status 500 (or the error's own 4xx);
 * `redirect()` and `notFound()` pass through as control flow.
 *
 * @example
 * export const GET = withTracking(async (req, { params }) => {
 *   const { id } = await params
 *   return Response.json(await getItem(id))
 * }, { getUser: (req) => sessionUser(req) })
 */
export function withTracking<H extends RouteHandler>(handler: H, options: TrackingOptions = {}): H {
  const tracked = async function tracked(request: Request, context: unknown): Promise<Response> {
    const started = performance.now()
    const url = safeUrl(request.url)
    if (isUntrackedPath(url.pathname)) return handler(request, context)

    const requestId = resolveRequestId(request.headers.get(REQUEST_ID_HEADER))
    const method = request.method.toUpperCase()
    const endpoint = options.endpoint ?? routePattern(url.pathname, await paramsOf(context))
    const store: RequestContext = { requestId, endpoint, method }
    const trace: TraceLink = {}
    const record = (status: number, failure?: { error: unknown; status: number }) =>
      recordRequest({
        context: store,
        status,
        durationMs: Math.round(performance.now() - started),
        headers: request.headers,
        getUser: options.getUser && (() => options.getUser!(request)),
        failure,
        slowRequestThresholdMs: options.slowRequestThresholdMs,
        impactRules: options.userImpact,
        mechanism: 'auto.function.nextjs.with_tracking',
        request: () => winterCGRequestToRequestData(request),
        trace,
      })

    let response: Response
    let failure: { error: unknown; status: number } | undefined
    try {
      const run = async () => handler(request, context)
      const Sentry = loadedSentry()
      response = await (Sentry
        ? traceRequest(Sentry, request, { name: `${method} ${endpoint}`, context: store }, run, trace)
        : runWithRequestContext(store, run))
    } catch (error) {
      if (isNextControlFlow(error)) {
        record(controlFlowStatus(error))
        throw error
      }
      const status = failureStatus(error)
      failure = { error, status }
      response = Response.json({ error: status >= 500 ? 'Internal Server Error' : 'Request failed', request_id: requestId }, { status })
    }
    response = withRequestIdHeader(response, requestId)
    record(response.status, failure)
    return response
  }
  return tracked as unknown as H
}

/** A thrown error that carries a 4xx status (an HttpError) answers with it; everything else is 500. */
function failureStatus(error: unknown): number {
  const status = httpStatus(error)
  return status !== undefined && status >= 400 && status < 500 ? status : 500
}

async function paramsOf(context: unknown): Promise<Record<string, string | string[] | undefined> | undefined> {
  try {
    const params = (context as { params?: unknown } | undefined)?.params
    const resolved = await params
    return resolved && typeof resolved === 'object' ? (resolved as Record<string, string | string[]>) : undefined
  } catch {
    return undefined
  }
}

/** Some responses (`Response.redirect`, proxied fetches) have immutable headers: copy them then. */
function withRequestIdHeader(response: Response, requestId: string): Response {
  try {
    response.headers.set(REQUEST_ID_HEADER, requestId)
    return response
  } catch {
    const copy = new Response(response.body, response)
    copy.headers.set(REQUEST_ID_HEADER, requestId)
    return copy
  }
}

function safeUrl(url: string): URL {
  try {
    return new URL(url)
  } catch {
    return new URL('http://localhost/')
  }
}
