'use client'

import type { KitBreadcrumb } from '../shared/breadcrumb.js'
import { toSentryBreadcrumb } from '../shared/breadcrumb.js'
import { withPostHog } from './capture-exception.js'
import { bufferBreadcrumb } from './breadcrumb-buffer.js'
import { getKit } from './kit.js'
import { readBrowserConfig } from './read-browser-config.js'

export type { KitBreadcrumb, BreadcrumbLevel } from '../shared/breadcrumb.js'

const MAX_WAITING = 100

/**
 * Records a step of this page: it goes with the page's next error, to Sentry as a breadcrumb
 * and to PostHog as an exception step (`$exception_steps`, posthog-js's `addExceptionStep`).
 * Scrubbed like everything the kit sends, on its way out of the SDKs. Safe before the SDKs load
 * (kept, with its time, up to 100) and when both backends are off (no-op); never throws.
 *
 * @example
 * addBreadcrumb({ category: 'checkout', message: 'payment form submitted', data: { plan } })
 */
export function addBreadcrumb(crumb: KitBreadcrumb): void {
  try {
    if (typeof window === 'undefined') return
    const config = readBrowserConfig()
    if (!config) return
    const breadcrumb = toSentryBreadcrumb(crumb)
    if (config.se) bufferBreadcrumb(breadcrumb)
    if (config.ph && breadcrumb.message) {
      // Scrubbed by posthog-js's `before_send` with the rest of the `$exception` (lazy/posthog.ts).
      const properties = { category: breadcrumb.category, level: breadcrumb.level, ...(breadcrumb.data ? { data: breadcrumb.data } : {}) }
      const message = breadcrumb.message
      // Before posthog-js loads, steps wait as the kit's other calls do, up to a bound.
      if (getKit().backends.posthog || getKit().backends.posthogWaiters.length < MAX_WAITING)
        withPostHog((posthog) => posthog.addExceptionStep?.(message, properties))
    }
  } catch {
    // Telemetry fails open.
  }
}
