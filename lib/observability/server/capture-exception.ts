import 'server-only'
import type { ObservedUser } from '../shared/user.js'
import { resolveIdentity } from './identity.js'
import { reportFailure, type SeverityLevel } from '../shared/report-failure.js'
import { serverBackends } from './server-backends.js'
import { currentRequestContext } from './request-context.js'

export interface CaptureExceptionOptions {
  /** PostHog distinct id; defaults to the current request's, else `system`. */
  distinctId?: string
  user?: ObservedUser | null
  properties?: Record<string, unknown>
  tags?: Record<string, string>
  level?: SeverityLevel
}

/**
 * Manual capture for code outside a wrapper (jobs, webhooks, caught-and-handled errors): one
 * Sentry event and one PostHog `$exception`, linked. Inside `withTracking()` it picks up the
 * request id and endpoint. Resolves (bounded) once delivered; never rejects, so `void` it on a
 * request path and `await` it in a script before exiting.
 *
 * @example
 * try { await syncInvoices() } catch (e) { await captureException(e, { tags: { job: 'sync' } }) }
 */
export async function captureException(error: unknown, options: CaptureExceptionOptions = {}): Promise<{ sentryEventId?: string }> {
  try {
    const ctx = currentRequestContext()
    const requestId = ctx?.requestId
    const identity = options.user ? resolveIdentity(new Headers(), options.user, requestId ?? 'system') : undefined
    const outcome = await reportFailure(await serverBackends(), {
      error,
      distinctId: options.distinctId ?? identity?.user?.user_id ?? ctx?.distinctId ?? 'system',
      user: identity?.user ?? null,
      requestId,
      endpoint: ctx?.endpoint,
      method: ctx?.method,
      sessionId: ctx?.sessionId,
      level: options.level,
      tags: options.tags,
      properties: options.properties,
      mechanism: { type: 'manual', handled: true },
    })
    return { sentryEventId: outcome.sentryEventId }
  } catch {
    return {}
  }
}
