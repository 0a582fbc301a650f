import 'server-only'
import { getDefaultIsolationScope, type Breadcrumb } from '@sentry/core'
import { isKitConsoleLine, toSentryBreadcrumb, type KitBreadcrumb } from '../shared/breadcrumb.js'
import { scrubBreadcrumb } from '../shared/sentry-privacy.js'
import { currentRequestContext } from './request-context.js'
import { loadedSentry } from './sentry.js'

export type { KitBreadcrumb, BreadcrumbLevel } from '../shared/breadcrumb.js'

/**
 * Records a step of the current request: it goes with that request's next Sentry event (and
 * its PostHog `$exception`, as `$exception_steps`), never with another request's. Scrubbed like
 * everything the kit sends. Cheap and synchronous; a no-op while Sentry is off.
 *
 * Where it is kept: the request's Sentry isolation scope, which `withTracking()` and
 * `withServerActionTracking()` fork for each request, `runObserved()` holds for the whole run of
 * a script, and Sentry itself forks for every request with `SENTRY_TRACING=full`. Outside those
 * (a server component of an untracked page, under the default `SENTRY_TRACING=kit`) there is no
 * request's scope to hold it, only the process's, shared by every request: the breadcrumb is
 * dropped rather than attached to someone else's error.
 *
 * @example
 * addBreadcrumb({ category: 'chat', message: 'model called', data: { model } })
 */
export function addBreadcrumb(crumb: KitBreadcrumb): void {
  try {
    const Sentry = loadedSentry()
    if (!Sentry?.isInitialized() || !belongsToARequest(Sentry.getIsolationScope())) return
    Sentry.addBreadcrumb(toSentryBreadcrumb(crumb))
  } catch {
    // Telemetry fails open.
  }
}

/**
 * `beforeBreadcrumb` of the Node SDK: the policy's scrubbing, and only breadcrumbs that belong to
 * a request. Sentry's Console integration records what any code prints, wherever it runs; a line
 * printed outside a request would land on the process's scope, be copied into every request's
 * scope forked after it, and so show on other requests' errors. The kit's own `[observability]`
 * lines are not the app's steps either.
 */
export function requestBreadcrumbsOnly(crumb: Breadcrumb): Breadcrumb | null {
  const Sentry = loadedSentry()
  if (!Sentry || isKitConsoleLine(crumb) || !belongsToARequest(Sentry.getIsolationScope())) return null
  return scrubBreadcrumb(crumb)
}

/**
 * A forked isolation scope is one request's (or one server action's); the process's default
 * scope belongs to a request only in a script, where `runObserved()` attached the run to it.
 */
function belongsToARequest(scope: unknown): boolean {
  return scope !== getDefaultIsolationScope() || currentRequestContext() !== undefined
}
