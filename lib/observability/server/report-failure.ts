import 'server-only'
import type { RequestEventData } from '@sentry/core'
import type { TraceLink } from './trace-request'
import { getConfig } from '../shared/get-config'
import { categorizeError, fingerprint, isExpectedClientError, userImpact, type ErrorType, type UserImpact, type UserImpactRule } from '../shared/categorize'
import { markReported, normalizeError, type NormalizedError } from '../shared/errors'
import type { ApiErrorProperties } from '../shared/events'
import { scrubServerProperties } from '../shared/event-privacy'
import { scrubDeep } from '../shared/scrub'
import { ANONYMOUS, sentryUser, type UserProperties } from '../shared/user'
import { capture } from './capture'
import { AFTER_RESPONSE_BUDGET_MS, settleWithin } from './fail-open'
import { getPostHog } from './posthog-client'
import { loadSentry } from './sentry'

export type SeverityLevel = 'fatal' | 'error' | 'warning' | 'log' | 'info' | 'debug'

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
  /** The request's place in its Sentry trace (reports run after the response, outside its scope). */
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
 * Call it after the response (`afterResponse`): it waits, bounded, for delivery.
 *
 * Reports one failure to each enabled backend exactly once: Sentry first (so PostHog's
 * `$exception` can carry the Sentry event id), then PostHog `$exception` (+ `api_error`).
 * Marks the error so `onRequestError` does not report it a second time. Never throws.
 */
export async function reportFailure(r: FailureReport): Promise<FailureOutcome> {
  const config = getConfig()
  const normalized = normalizeError(r.error)
  const errorType = categorizeError(r.error, normalized)
  const statusCode = r.statusCode ?? 500
  const method = r.method ?? 'UNKNOWN'
  const endpoint = r.endpoint ?? 'unknown'
  const impact = userImpact({ errorType, statusCode, method, endpoint }, r.impactRules)
  markReported(r.error)

  const tags: Record<string, string> = {
    ...(r.tags ?? {}),
    error_type: errorType,
    user_impact: impact,
    ...(r.requestId ? { request_id: r.requestId } : {}),
    ...(r.endpoint ? { endpoint } : {}),
  }

  const delivery: Promise<unknown>[] = []
  let sentryEventId: string | undefined
  // Expected client errors are the caller's mistake: they count in `api_error`, not in error tracking.
  const expected = isExpectedClientError(statusCode)
  const Sentry = expected ? null : await loadSentry()
  if (Sentry) {
    try {
      sentryEventId = Sentry.withScope((scope) => {
        scope.setTags(tags)
        scope.setFingerprint(fingerprint(normalized, errorType))
        scope.setLevel(r.level ?? 'error')
        const user = sentryUser(r.user)
        if (user) scope.setUser(user)
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
      sentryEventId = undefined
    }
  }

  const posthog = getPostHog()
  if (posthog) {
    const inline = r.user ?? {}
    const anonymous = !r.user
    const common = {
      ...(r.properties ? (scrubDeep(r.properties) as Record<string, unknown>) : {}),
      ...inline,
      request_id: r.requestId,
      endpoint,
      method,
      environment: config.posthog.enabled ? config.posthog.environment : '',
      release: config.release,
      ...(r.sessionId ? { $session_id: r.sessionId } : {}),
      ...(anonymous ? { $process_person_profile: false } : {}),
    }
    // Immediate: building `$exception` is async (stack parsing), so a queued one could miss the
    // flush that follows and be lost when a serverless function freezes.
    if (!expected) delivery.push(
      posthog.captureExceptionImmediate(normalized.error, r.distinctId, scrubServerProperties({
        ...common,
        error_type: errorType,
        user_impact: impact,
        $exception_level: r.level ?? 'error',
        ...(sentryEventId ? { $sentry_event_id: sentryEventId } : {}),
      })),
    )
    if (r.apiError && r.requestId) {
      const props: ApiErrorProperties = {
        ...inline,
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
      capture(r.distinctId, { event: 'api_error', properties: props }, { anonymous, sessionId: r.sessionId })
    }
  }
  if (Sentry && sentryEventId) delivery.push(Sentry.flush(AFTER_RESPONSE_BUDGET_MS))
  await settleWithin(Promise.allSettled(delivery), AFTER_RESPONSE_BUDGET_MS)
  return { errorType, userImpact: impact, sentryEventId, normalized }
}
