import type { Breadcrumb } from '@sentry/core'
import { getKit } from './kit.js'

/** Steps kept while Sentry's chunk loads (after `load`); Sentry itself keeps 100. */
const MAX_PENDING = 100

/**
 * Hands a step to Sentry, synchronously once it has loaded, so a step recorded just before an
 * error is on that error. Before that, up to 100 wait (oldest dropped first).
 *
 * @internal Used by `addBreadcrumb()`.
 */
export function bufferBreadcrumb(breadcrumb: Breadcrumb): void {
  const state = getKit().breadcrumbs
  if (state.sink) return state.sink(breadcrumb)
  if (state.pending.length >= MAX_PENDING) state.pending.shift()
  state.pending.push(breadcrumb)
}

/**
 * Called by Sentry's chunk once `Sentry.init` ran: the waiting steps go in, in order, before the
 * errors buffered before load are replayed.
 *
 * @internal
 */
export function connectBreadcrumbSink(sink: (breadcrumb: Breadcrumb) => void): void {
  const state = getKit().breadcrumbs
  state.sink = sink
  for (const breadcrumb of state.pending.splice(0)) sink(breadcrumb)
}
