import 'server-only'
import { wasReported, markReported } from '../shared/errors.js'
import { isNextControlFlow } from './next-control-flow.js'
import { isValidRequestId, REQUEST_ID_HEADER } from '../shared/request-id.js'
import type { ObservedUser } from '../shared/user.js'
import { afterResponse } from './after-response.js'
import { resolveIdentity } from './identity.js'
import { flushSoon } from './posthog-client.js'
import { reportFailure } from '../shared/report-failure.js'
import { serverBackends } from './server-backends.js'

/** Next's `onRequestError` arguments (instrumentation.ts). */
export interface RequestErrorInfo {
  readonly path: string
  readonly method: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}
export interface RequestErrorContext {
  readonly routerKind: string
  readonly routePath: string
  readonly routeType: string
  readonly renderSource?: string
}

export interface OnRequestErrorOptions {
  /** The signed-in user, read from the failing request's headers (cookies, tokens). */
  getUser?: (headers: Headers) => ObservedUser | null | undefined | Promise<ObservedUser | null | undefined>
}

/**
 * Next's `onRequestError` hook: errors in server components, server actions, route handlers and
 * generation functions reach Sentry and PostHog once each. Errors a wrapper already reported
 * (`withTracking`, `withServerActionTracking`) and Next's control flow are skipped.
 *
 * @example
 * // instrumentation.ts
 * export const onRequestError = createOnRequestError({ getUser: (h) => userFromCookie(h.get('cookie')) })
 */
export function createOnRequestError(options: OnRequestErrorOptions = {}) {
  return async function onRequestError(error: unknown, request: RequestErrorInfo, context: RequestErrorContext): Promise<void> {
    if (wasReported(error) || isNextControlFlow(error)) return
    markReported(error)
    const headers = toHeaders(request.headers)
    const incoming = headers.get(REQUEST_ID_HEADER)
    const requestId = isValidRequestId(incoming) ? incoming : undefined
    const method = (request.method || 'GET').toUpperCase()
    afterResponse('onRequestError', async () => {
      let user: ObservedUser | null | undefined = null
      try {
        user = options.getUser ? await options.getUser(headers) : null
      } catch {
        user = null
      }
      const identity = resolveIdentity(headers, user, requestId ?? 'server')
      await reportFailure(await serverBackends(), {
        error,
        distinctId: identity.distinctId,
        user: identity.user,
        requestId,
        endpoint: context.routePath,
        method,
        statusCode: 500,
        sessionId: identity.sessionId,
        tags: { route_type: context.routeType },
        request: { method, url: request.path, headers: Object.fromEntries(headers) },
        mechanism: { type: 'auto.function.nextjs.on_request_error', handled: false },
        apiError: context.routeType === 'route' || context.routeType === 'action',
      })
      await flushSoon()
    })
  }
}

function toHeaders(raw: RequestErrorInfo['headers']): Headers {
  const h = new Headers()
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (v === undefined) continue
    try {
      h.set(k, Array.isArray(v) ? v.join(', ') : v)
    } catch {
      // Header values Next accepted but Headers rejects are not worth failing over.
    }
  }
  return h
}
