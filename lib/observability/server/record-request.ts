import 'server-only'
import type { RequestEventData } from '@sentry/core'
import type { UserImpactRule } from '../shared/categorize.js'
import { getConfig } from '../shared/get-config.js'
import { reportFailure, type TraceLink } from '../shared/report-failure.js'
import { ANONYMOUS, type ObservedUser } from '../shared/user.js'
import { afterResponse } from './after-response.js'
import { capture } from './capture.js'
import { resolveIdentity } from './identity.js'
import type { RequestContext } from './request-context.js'
import { serverBackends } from './server-backends.js'

export type GetUser = () => ObservedUser | null | undefined | Promise<ObservedUser | null | undefined>

/** One finished request or server action, as its wrapper saw it. */
export interface RequestRecord {
  /** The request's context; its identity is filled in here, for generations still waiting on it. */
  readonly context: RequestContext
  readonly status: number
  readonly durationMs: number
  /** The request's headers: the browser's PostHog identity is read from them. */
  readonly headers: Headers
  /** The app's `getUser`, bound to the request; called after the response. */
  readonly getUser?: GetUser
  readonly failure?: { readonly error: unknown; readonly status: number }
  readonly slowRequestThresholdMs?: number
  readonly impactRules?: readonly UserImpactRule[]
  /** Sentry mechanism type of the wrapper (`auto.function.nextjs.with_tracking`…). */
  readonly mechanism: string
  /** The request as Sentry describes it, built only if there is a failure to report. */
  readonly request?: () => RequestEventData
  readonly trace?: TraceLink
}

/**
 * The one way a wrapped request is recorded (`withTracking`, `withServerActionTracking`): after
 * the response, `api_request`, `slow_request` past the threshold, and a failure's report
 * (`api_error`, one Sentry event, one `$exception`), all about the same user. Nothing here runs
 * while the response is being sent, and nothing can throw into it.
 */
export function recordRequest(r: RequestRecord): void {
  // With both backends off nothing is recorded, and not even `after()` is asked for: scheduling it
  // alone costs a request ~10 µs inside `next start` (docs/benchmarks.md).
  const config = getConfig()
  if (!config.posthog.enabled && !config.sentry.enabled) return
  afterResponse(r.mechanism, async () => {
    const { context } = r
    const identity = resolveIdentity(r.headers, await safeGetUser(r.getUser), context.requestId)
    const anonymous = !identity.user
    context.distinctId = identity.distinctId
    context.anonymous = anonymous
    const user = identity.user ?? {}
    const userId = identity.user?.user_id ?? ANONYMOUS
    const environment = config.posthog.enabled ? config.posthog.environment : ''
    const who = { anonymous, sessionId: identity.sessionId }
    const { endpoint, method, requestId } = context

    capture(
      identity.distinctId,
      {
        event: 'api_request',
        properties: {
          ...user,
          endpoint,
          method,
          status_code: r.status,
          response_time_ms: r.durationMs,
          request_id: requestId,
          success: r.status >= 200 && r.status < 300,
          user_id: userId,
          environment,
          release: config.release,
        },
      },
      who,
    )
    const threshold = r.slowRequestThresholdMs ?? config.slowRequestThresholdMs
    if (r.durationMs > threshold) {
      capture(
        identity.distinctId,
        {
          event: 'slow_request',
          properties: { ...user, endpoint, method, duration_ms: r.durationMs, threshold_ms: threshold, request_id: requestId, user_id: userId, environment },
        },
        who,
      )
    }
    if (r.failure) {
      await reportFailure(await serverBackends(), {
        error: r.failure.error,
        distinctId: identity.distinctId,
        user: identity.user,
        requestId,
        endpoint,
        method,
        statusCode: r.failure.status,
        sessionId: identity.sessionId,
        impactRules: r.impactRules,
        mechanism: { type: r.mechanism, handled: false },
        apiError: true,
        request: r.request?.(),
        trace: r.trace,
      })
    }
  })
}

/** The app's `getUser`, answering null for anything that is not a user, throws or rejects. */
async function safeGetUser(getUser: GetUser | undefined): Promise<ObservedUser | null> {
  if (!getUser) return null
  try {
    const user = await getUser()
    return user && typeof user === 'object' && user.id ? user : null
  } catch {
    return null
  }
}
