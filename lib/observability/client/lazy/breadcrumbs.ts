import { addBreadcrumb } from '@sentry/browser'
import type { Breadcrumb } from '@sentry/core'

/**
 * Hands the page's steps to Sentry, which runs its `beforeBreadcrumb` (the privacy policy) and
 * keeps them for the page's next event. Loaded with Sentry's own chunk, never before.
 *
 * @internal Called by `addBreadcrumb()` (client/add-breadcrumb.ts).
 */
export function recordBreadcrumbs(breadcrumbs: readonly Breadcrumb[]): void {
  for (const breadcrumb of breadcrumbs) addBreadcrumb(breadcrumb)
}
