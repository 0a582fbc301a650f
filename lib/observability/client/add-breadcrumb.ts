'use client'

import type { KitBreadcrumb } from '../shared/breadcrumb.js'
import { toSentryBreadcrumb } from '../shared/breadcrumb.js'
import { scrubDeep } from '../shared/scrub.js'
import { withPostHog } from './capture-exception.js'
import { getKit } from './kit.js'
import { readBrowserConfig } from './read-browser-config.js'

export type { KitBreadcrumb, BreadcrumbLevel } from '../shared/breadcrumb.js'

/** Steps kept while Sentry's chunk loads (after `load`); Sentry itself keeps 100. */
const MAX_PENDING = 100
const PENDING = Symbol.for('observability.breadcrumbs.pending')

/**
 * Records a step of this page: it goes with the page's next error, to Sentry as a breadcrumb
 * and to PostHog as an exception step (`$exception_steps`, posthog-js's `addExceptionStep`).
 * Scrubbed like everything the kit sends. Safe before the SDKs load (kept, with its time, up
 * to 100) and when both backends are off (no-op); never throws.
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
    if (config.se) toSentry(breadcrumb)
    if (config.ph && breadcrumb.message) {
      const properties = scrubDeep({ category: breadcrumb.category, level: breadcrumb.level, ...(breadcrumb.data ? { data: breadcrumb.data } : {}) }) as Record<string, unknown>
      const message = breadcrumb.message
      withPostHog((posthog) => posthog.addExceptionStep?.(message, properties))
    }
  } catch {
    // Telemetry fails open.
  }
}

type Breadcrumb = ReturnType<typeof toSentryBreadcrumb>

/** Straight to Sentry once loaded; before that, kept (bounded) and handed over when it is. */
function toSentry(breadcrumb: Breadcrumb): void {
  const kit = getKit()
  if (kit.phase === 'ready' && !kit.sentry) return
  const g = globalThis as typeof globalThis & { [PENDING]?: Breadcrumb[] }
  const pending = (g[PENDING] ??= [])
  if (pending.length >= MAX_PENDING) pending.shift()
  pending.push(breadcrumb)
  // One hand-over for everything pending: the first step queues it, the rest join the list.
  if (pending.length > 1 && !kit.sentry) return
  const deliver = () => {
    const batch = pending.splice(0)
    void import('./lazy/breadcrumbs.js').then((m) => m.recordBreadcrumbs(batch), () => undefined)
  }
  if (kit.sentry) deliver()
  else kit.sentryWaiters.push(deliver)
}
