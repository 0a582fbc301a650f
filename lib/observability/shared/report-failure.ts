import type { RequestEventData, Scope } from '@sentry/core'
import { exceptionSteps, type ExceptionStep } from './breadcrumb.js'
import { categorizeError, fingerprint, isExpectedClientError, userImpact, type ErrorType, type UserImpact, type UserImpactRule } from './categorize.js'
import { markReported, normalizeError, type NormalizedError } from './errors.js'
import { scrubServerProperties } from './event-privacy.js'
import type { ApiErrorProperties, ServerEvent } from './events.js'
import { getConfig } from './get-config.js'
import { scrubDeep } from './scrub.js'
import { DELIVERY_BUDGET_MS, settleWithin } from './settle-within.js'
import { ANONYMOUS, sentryUser, type UserProperties } from './user.js'

/**
 * The one path by which a failure is reported, on every runtime: route handlers, server actions,
 * `onRequestError`, scripts and manual capture on Node, and the middleware on the Edge runtime.
 * Each runtime hands in its own SDK handles (`Backends`); what is reported, and how the two
 * backends are linked, is decided here once.
 */

export type SeverityLevel = 'fatal' | 'error' | 'warning' | 'log' | 'info' | 'debug'

/** What of Sentry a report needs: `@sentry/nextjs` on Node and on the Edge runtime alike. */
export interface SentryHandle {
  withScope<T>(callback: (scope: Scope) => T): T
  getIsolationScope?(): Scope
  /** Runs `callback` with `scope` as the isolation scope (the request's, for a report made after its response). */
  withIsolationScope?<T>(scope: Scope, callback: (scope: Scope) => T): T
  captureException(exception: unknown, hint?: { mechanism?: { type: string; handled: boolean } }): string
  flush(timeout?: number): PromiseLike<boolean>
}

/** What of posthog-node a report needs: the client, its worker link, or its Edge build. */
export interface PostHogHandle {
  captureExceptionImmediate(error: unknown, distinctId?: string, properties?: Record<string | number, unknown>): Promise<void>
}

export interface Backends {
  readonly sentry: SentryHandle | null
  readonly posthog: PostHogHandle | null
  /** Queues a catalogue event (`api_error`); absent where none is sent (the Edge runtime). */
  readonly capture?: (distinctId: string, event: ServerEvent, options: { anonymous?: boolean; sessionId?: string }) => void
}

/** Where a request sits in its Sentry trace; reports run after the response, outside its scope. */
export interface TraceLink {
  traceId?: string
  /** The span an error of this request hangs under: the request's own span, else the caller's. */
  parentSpanId?: string
  /**
   * The request's Sentry isolation scope. A failure is reported after the response, outside it;
   * reported in it, the event carries what the request left there: its breadcrumbs, and the tags
   * and user the app set with `Sentry.*`.
   */
  scope?: Scope
}

export interface FailureReport {
  readonly error: unknown
  readonly distinctId: string
  /** Inline user properties, already filtered by `POSTHOG_IDENTIFY_PII`; null when anonymous. */
  readonly user: UserProperties | null
  readonly requestId?: string
  readonly endpoint?: string
  readonly method?: string
  readonly statusCode?: number
  readonly sessionId?: string
  readonly level?: SeverityLevel
  readonly tags?: Readonly<Record<string, string>>
  readonly properties?: Readonly<Record<string, unknown>>
  readonly impactRules?: readonly UserImpactRule[]
  /** Sentry mechanism type; `handled: false` for errors that escaped the app's code. */
  readonly mechanism: { type: string; handled: boolean }
  /** The request as Sentry's RequestData integration reads it; scrubbed by `beforeSend`. */
  readonly request?: RequestEventData
  readonly trace?: TraceLink
  /** Also emit `api_error` (route handlers, server actions). */
  readonly apiError?: boolean
}

export interface FailureOutcome {
  readonly errorType: ErrorType
  readonly userImpact: UserImpact
  readonly sentryEventId?: string
  readonly normalized: NormalizedError
}

/**
 * Reports one failure to each enabled backend exactly once: Sentry first, so that PostHog's
 * `$exception` carries the Sentry event id, then PostHog's `$exception` (and `api_error`). Marks
 * the error, so that a second hook (`onRequestError`) does not report it again. Waits, bounded,
 * for delivery: call it after the response. Never throws.
 */
export async function reportFailure(backends: Backends, r: FailureReport): Promise<FailureOutcome> {
  const config = getConfig()
  const normalized = normalizeError(r.error)
  const errorType = categorizeError(r.error, normalized)
  const statusCode = r.statusCode ?? 500
  const method = r.method ?? 'UNKNOWN'
  const endpoint = r.endpoint ?? 'unknown'
  const impact = userImpact({ errorType, statusCode, method, endpoint }, r.impactRules)
  const anonymous = !r.user
  markReported(r.error)

  // Expected client errors are the caller's mistake: they count in `api_error`, not in error tracking.
  const expected = isExpectedClientError(statusCode)
  const sentryEventId = expected
    ? undefined
    : inRequestScope(backends.sentry, r.trace?.scope, () => toSentry(backends.sentry, r, normalized, errorType, impact))
  const delivery: PromiseLike<unknown>[] = []
  if (backends.sentry && sentryEventId) delivery.push(backends.sentry.flush(DELIVERY_BUDGET_MS))

  const common = {
    // Sentry tags describe the failure for PostHog too; explicit properties win over them.
    ...(r.tags ?? {}),
    ...(r.properties ? (scrubDeep(r.properties) as Record<string, unknown>) : {}),
    ...(r.user ?? {}),
    ...(r.requestId ? { request_id: r.requestId } : {}),
    endpoint,
    method,
    environment: config.posthog.enabled ? config.posthog.environment : '',
    release: config.release,
    ...(r.sessionId ? { $session_id: r.sessionId } : {}),
    ...(anonymous ? { $process_person_profile: false } : {}),
  }
  if (backends.posthog && !expected) {
    // Immediate: building `$exception` is async (stack parsing), so a queued one could miss the
    // flush that follows and be lost when a serverless function freezes.
    const properties = scrubServerProperties({
      ...common,
      error_type: errorType,
      user_impact: impact,
      $exception_level: r.level ?? 'error',
      ...(sentryEventId ? { $sentry_event_id: sentryEventId } : {}),
      ...stepsOf(backends.sentry, r.trace?.scope),
    })
    delivery.push(guarded(() => backends.posthog!.captureExceptionImmediate(normalized.error, r.distinctId, properties)))
  }
  if (r.apiError && r.requestId && backends.capture) {
    const props: ApiErrorProperties = {
      ...(r.user ?? {}),
      error_type: errorType,
      error_message: normalized.message,
      exception_type: normalized.type,
      endpoint,
      method,
      status_code: statusCode,
      request_id: r.requestId,
      traceback: normalized.stack,
      user_id: r.user?.user_id ?? ANONYMOUS,
      environment: common.environment,
      ...(sentryEventId ? { sentry_event_id: sentryEventId } : {}),
    }
    backends.capture(r.distinctId, { event: 'api_error', properties: props }, { anonymous, sessionId: r.sessionId })
  }
  await settleWithin(Promise.allSettled(delivery), DELIVERY_BUDGET_MS)
  return { errorType, userImpact: impact, sentryEventId, normalized }
}

function toSentry(Sentry: SentryHandle | null, r: FailureReport, normalized: NormalizedError, errorType: ErrorType, impact: UserImpact): string | undefined {
  if (!Sentry) return undefined
  try {
    return Sentry.withScope((scope) => {
      scope.setTags({
        ...(r.tags ?? {}),
        error_type: errorType,
        user_impact: impact,
        ...(r.requestId ? { request_id: r.requestId } : {}),
        ...(r.endpoint ? { endpoint: r.endpoint } : {}),
      })
      scope.setFingerprint(fingerprint(normalized, errorType))
      scope.setLevel(r.level ?? 'error')
      const user = sentryUser(r.user)
      if (user) scope.setUser(user)
      // The PostHog ids link the two backends (only when there is a person or a browser session to find).
      if (r.distinctId !== ANONYMOUS || r.sessionId) {
        scope.setTag('posthog_distinct_id', r.distinctId)
        if (r.sessionId) scope.setTag('posthog_session_id', r.sessionId)
      }
      if (r.request) scope.setSDKProcessingMetadata({ normalizedRequest: r.request })
      if (r.trace?.traceId) scope.setPropagationContext({ ...scope.getPropagationContext(), traceId: r.trace.traceId, parentSpanId: r.trace.parentSpanId })
      if (r.properties) scope.setContext('properties', scrubDeep(r.properties) as Record<string, unknown>)
      return Sentry.captureException(normalized.error, { mechanism: r.mechanism })
    })
  } catch {
    return undefined
  }
}

/** Runs `report` in the request's isolation scope when there is one, else where it is. */
function inRequestScope<T>(Sentry: SentryHandle | null, scope: Scope | undefined, report: () => T): T {
  return scope && Sentry?.withIsolationScope ? Sentry.withIsolationScope(scope, report) : report()
}

/**
 * The request's breadcrumbs as PostHog's `$exception_steps` (shared/breadcrumb.ts): the same steps
 * Sentry's event carries, already scrubbed by `beforeBreadcrumb`. A script's run keeps them on
 * the process's own scope, which is where its report is made.
 */
function stepsOf(Sentry: SentryHandle | null, scope: Scope | undefined): { $exception_steps?: ExceptionStep[] } {
  try {
    const holder = scope ?? Sentry?.getIsolationScope?.()
    const steps = holder ? exceptionSteps(holder.getScopeData().breadcrumbs) : []
    return steps.length ? { $exception_steps: steps } : {}
  } catch {
    return {}
  }
}

function guarded(send: () => Promise<unknown>): Promise<unknown> {
  try {
    return send().catch(() => undefined)
  } catch {
    return Promise.resolve()
  }
}
