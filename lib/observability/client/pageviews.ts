import { getKit } from './kit.js'
import { readBrowserConfig } from './read-browser-config.js'

/** A page nobody loads PostHog on should not grow a queue forever. */
const MAX_QUEUED = 50

/**
 * Records a `$pageview` when the path changed since the last one: the landing page, then each
 * App Router navigation. Before posthog-js has loaded, views wait in a queue and are sent with
 * their original URL and time; after, they go out at once. One mechanism for every view, so
 * none is lost or doubled however early the visitor navigates (see
 * docs/decisions/007-pageviews-tracked-by-the-kit.md).
 *
 * Query-string and hash changes are not new pages, as with posthog-js's `history_change`.
 *
 * @example
 * useEffect(() => trackPageview(), [usePathname()])
 */
export function trackPageview(): void {
  if (typeof window === 'undefined' || !readBrowserConfig()?.ph) return
  const { pageviews, backends } = getKit()
  const { href, pathname } = window.location
  if (pathname === pageviews.lastPathname) return
  pageviews.lastPathname = pathname
  const view = { href, pathname, at: Date.now() }
  if (backends.posthog) {
    try {
      backends.posthog.capturePageview(view)
    } catch {
      // Telemetry fails open.
    }
  } else if (pageviews.pending.length < MAX_QUEUED) {
    pageviews.pending.push(view)
  }
}
