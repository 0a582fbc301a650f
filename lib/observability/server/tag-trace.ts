import 'server-only'
import { getActiveSpan, getRootSpan } from '@sentry/core'

/**
 * Puts the request id on the current Sentry trace, as the root span's `request_id` attribute,
 * so a request's spans can be found by its id like its events (CONTRACT §3); local mode's
 * timeline groups them by it. A no-op when Sentry is off or nothing is being traced.
 *
 * @example
 * tagTraceWithRequestId(requestId) // inside the request, before the handler runs
 */
export function tagTraceWithRequestId(requestId: string): void {
  try {
    const span = getActiveSpan()
    if (span) getRootSpan(span).setAttribute('request_id', requestId)
  } catch {
    // Telemetry never breaks a request.
  }
}
