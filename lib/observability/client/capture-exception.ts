'use client'

import type { PostHog } from 'posthog-js/dist/module.slim.js'
import { reportError } from './error-listeners.js'
import { getKit } from './kit.js'
import { readBrowserConfig } from './read-browser-config.js'

export interface BrowserCaptureOptions {
  /**
   * `boundary` for errors an error boundary caught (recorded as unhandled: the user saw a
   * fallback); `manual` (default) for errors the app handled and wants on record.
   */
  source?: 'boundary' | 'manual'
}

/**
 * Sends an error to PostHog (`$exception`) and Sentry, once each, linked to each other. Safe to
 * call before the SDKs have loaded (the error waits for them) and when both are off (no-op).
 *
 * @example
 * try { await save() } catch (e) { captureException(e); showToast('Could not save') }
 */
export function captureException(error: unknown, options: BrowserCaptureOptions = {}): void {
  try {
    reportError(error, options.source ?? 'manual')
  } catch {
    // Telemetry fails open.
  }
}

/**
 * Runs `callback` with the posthog-js instance once it has loaded: for the app's own events
 * (`posthog.capture('signed_up')`) without putting posthog-js on the first load. Never runs when
 * PostHog is off or failed to load.
 *
 * @example
 * withPostHog((posthog) => posthog.capture('checkout_started', { plan }))
 */
export function withPostHog(callback: (posthog: PostHog) => void): void {
  if (typeof window === 'undefined' || !readBrowserConfig()?.ph) return
  const kit = getKit()
  const { backends } = kit
  const run = () => {
    try {
      if (backends.posthog) callback(backends.posthog.instance)
    } catch {
      // A broken callback must not break the page.
    }
  }
  if (backends.posthog) run()
  else if (kit.phase !== 'ready') backends.posthogWaiters.push(run)
}
