import 'server-only'
import { headers as nextHeaders } from 'next/headers'
import type { UserImpactRule } from '../shared/categorize.js'
import { markReported } from '../shared/errors.js'
import { isNextControlFlow } from './next-control-flow.js'
import { REQUEST_ID_HEADER, resolveRequestId } from '../shared/request-id.js'
import type { ObservedUser } from '../shared/user.js'
import { recordRequest } from './record-request.js'
import { runWithRequestContext, type RequestContext } from './request-context.js'
import type { TraceLink } from '../shared/report-failure.js'
import { loadedSentry } from './sentry.js'

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
    const context: RequestContext = { requestId: resolveRequestId(headers.get(REQUEST_ID_HEADER)), endpoint, method: 'POST' }
    let failure: { error: unknown; status: number } | undefined
    const trace: TraceLink = {}
    try {
      return await runWithRequestContext(context, () => {
        // The action's own scope: a failure, reported after the response, carries its breadcrumbs.
        trace.scope = loadedSentry()?.getIsolationScope()
        return action(...args)
      })
    } catch (error) {
      if (isNextControlFlow(error)) throw error
      failure = { error, status: 500 }
      // Rethrown for the app's error boundary: `onRequestError` must not report it a second time.
      markReported(error)
      throw error
    } finally {
      recordRequest({
        context,
        status: failure ? 500 : 200,
        durationMs: Math.round(performance.now() - started),
        headers,
        getUser: options.getUser && (() => options.getUser!(headers)),
        failure,
        impactRules: options.userImpact,
        mechanism: 'auto.function.nextjs.server_action',
        trace,
      })
    }
  }
  return tracked as unknown as A
}
