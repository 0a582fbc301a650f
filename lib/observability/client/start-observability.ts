import type { BrowserConfig } from '../shared/browser-config.js'
import { flushBufferedErrors } from './error-listeners.js'
import { getKit, type Kit, type PostHogBackend } from './kit.js'
import { trackPageview } from './pageviews.js'
import { readBrowserConfig } from './read-browser-config.js'

/**
 * Starts the kit in this page, once, however many callers (instrumentation-client, the provider,
 * StrictMode's second effect): reads the config, records the landing pageview, and schedules the
 * SDKs to load after the `load` event, when the browser is idle. Nothing SDK-related is fetched
 * before then, and nothing at all when the server sent no config.
 *
 * Returns whether any backend is on.
 *
 * @example
 * startObservability() // true when PostHog or Sentry is on for this page
 */
export function startObservability(): boolean {
  if (typeof window === 'undefined') return false
  const config = readBrowserConfig()
  if (!config) return false
  const kit = getKit()
  if (kit.phase !== 'idle') return true
  kit.phase = 'scheduled'
  trackPageview()
  afterLoadWhenIdle(() => void loadSdks(kit, config))
  return true
}

function afterLoadWhenIdle(run: () => void): void {
  const idle = () => {
    if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(run, { timeout: 2_000 })
    else setTimeout(run, 1)
  }
  if (document.readyState === 'complete') idle()
  else window.addEventListener('load', idle, { once: true })
}

/**
 * Each SDK is its own chunk, fetched only when its backend is on. The two load in parallel;
 * buffered errors are replayed once both have settled, so each error is sent to both backends
 * together and PostHog's copy can carry the Sentry event id.
 */
async function loadSdks(kit: Kit, config: BrowserConfig): Promise<void> {
  const jobs: Promise<void>[] = []
  if (config.se) {
    jobs.push(
      import('./lazy/sentry.js').then((m) => {
        const backend = m.startSentry(config, kit)
        if (backend) kit.backends.sentry = backend
      }),
    )
  }
  if (config.ph) {
    jobs.push(
      Promise.all([import('./lazy/posthog.js'), config.ph.surveys ? import('./lazy/posthog-surveys.js') : null]).then(([m, surveys]) => {
        const backend = m.startPostHog(config, kit, surveys?.surveysExtensions)
        if (backend) installPostHog(kit, backend)
      }),
    )
  }
  const results = await Promise.allSettled(jobs)
  for (const r of results) {
    if (r.status === 'rejected') console.warn('[observability] an SDK failed to load; its events are dropped for this page', r.reason)
  }
  kit.phase = 'ready'
  flushBufferedErrors(kit)
  // Whoever still waits for posthog-js, which never came, will not get it.
  kit.backends.posthogWaiters.length = 0
}

function installPostHog(kit: Kit, backend: PostHogBackend): void {
  kit.backends.posthog = backend
  for (const view of kit.pageviews.pending.splice(0)) backend.capturePageview(view)
  for (const waiter of kit.backends.posthogWaiters.splice(0)) runSafely(() => waiter(backend))
}

function runSafely(fn: () => void): void {
  try {
    fn()
  } catch {
    // Telemetry fails open.
  }
}
