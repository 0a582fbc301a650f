import 'server-only'
import { headers as nextHeaders } from 'next/headers'
import { getConfig } from '../shared/get-config'
import type { UserImpactRule } from '../shared/categorize'
import { markReported } from '../shared/errors'
import { isNextControlFlow } from './next-control-flow'
import { REQUEST_ID_HEADER, resolveRequestId } from '../shared/request-id'
import { ANONYMOUS, type ObservedUser } from '../shared/user'
import { afterResponse } from './after-response'
import { capture } from './capture'
import { resolveIdentity } from './identity'
import { reportFailure } from './report-failure'
import { runWithRequestContext, type RequestContext } from './request-context'

export interface ServerActionTrackingOptions {
  /** The signed-in user; receives the action's request headers. Called after the response. */
  getUser?: (headers: Headers) => ObservedUser | null | undefined | Promise<ObservedUser | null | undefined>
  userImpact?: readonly UserImpactRule[]
}

/**
 * Server actions get what route handlers get from `withTracking()`: `api_request` (endpoint
 * `action:<name>`), and on failure `api_error` + one Sentry event + one PostHog `$exception`.
 * The error is rethrown so the app's error boundary still sees it; `onRequestError` skips it.
 * Neither the action's arguments (form data) nor its result are ever recorded.
 *
 * @example
 * export const saveNote = withServerActionTracking('saveNote', async (form: FormData) => { … })
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withServerActionTracking<A extends (...args: any[]) => Promise<any>>(name: string, action: A, options: ServerActionTrackingOptions = {}): A {
  const endpoint = `action:${name}`
  const tracked = async (...args: Parameters<A>) => {
    const started = performance.now()
    let headers: Headers
    try {
      headers = new Headers(await nextHeaders())
    } catch {
      headers = new Headers()
    }
    const requestId = resolveRequestId(headers.get(REQUEST_ID_HEADER))
    let status = 200
    let failure: unknown
    let failed = false
    const store: RequestContext = { requestId, endpoint, method: 'POST' }
    try {
      return await runWithRequestContext(store, () => action(...args))
    } catch (error) {
      if (isNextControlFlow(error)) throw error
      failed = true
      failure = error
      status = 500
      markReported(error)
      throw error
    } finally {
      const durationMs = Math.round(performance.now() - started)
      afterResponse('withServerActionTracking', async () => {
        const config = getConfig()
        if (!config.posthog.enabled && !config.sentry.enabled) return
        let user: ObservedUser | null | undefined = null
        try {
          user = options.getUser ? await options.getUser(headers) : null
        } catch {
          user = null
        }
        const identity = resolveIdentity(headers, user, requestId)
        store.distinctId = identity.distinctId
        store.anonymous = !identity.user
        capture(identity.distinctId, {
          event: 'api_request',
          properties: {
            ...(identity.user ?? {}),
            endpoint,
            method: 'POST',
            status_code: status,
            response_time_ms: durationMs,
            request_id: requestId,
            success: !failed,
            user_id: identity.user?.user_id ?? ANONYMOUS,
            environment: config.posthog.enabled ? config.posthog.environment : '',
            release: config.release,
          },
        }, { anonymous: !identity.user, sessionId: identity.sessionId })
        if (failed) {
          await reportFailure({
            error: failure,
            distinctId: identity.distinctId,
            user: identity.user,
            requestId,
            endpoint,
            method: 'POST',
            statusCode: 500,
            sessionId: identity.sessionId,
            impactRules: options.userImpact,
            mechanism: { type: 'auto.function.nextjs.server_action', handled: false },
            apiError: true,
          })
        }
      })
    }
  }
  return tracked as unknown as A
}
