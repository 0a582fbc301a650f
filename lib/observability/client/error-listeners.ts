import { getKit, type ErrorSource, type ErrorState, type Kit, type PendingError } from './kit.js'
import { readBrowserConfig } from './read-browser-config.js'

/** Errors kept while the SDKs load; a page that fails this often before `load` has told us enough. */
const MAX_BUFFERED = 30
/** A render loop or a failing interval must not flood either backend: a burst, then one per 5 s. */
const BURST = 20
const REFILL_MS = 5_000

/**
 * Installs the kit's `error` and `unhandledrejection` listeners (once per page, however many
 * callers) and returns a release function; the listeners go when the last holder releases.
 *
 * These listeners are the only owner of uncaught browser errors for both backends: posthog-js
 * exception autocapture and Sentry's GlobalHandlers are turned off, so each error reaches each
 * backend exactly once, whether it happened before the SDKs loaded (buffered, then replayed) or
 * after (forwarded at once). See docs/decisions/006-one-owner-for-browser-errors.md.
 *
 * @example
 * useEffect(() => retainErrorListeners(), [])
 */
export function retainErrorListeners(): () => void {
  if (typeof window === 'undefined') return () => {}
  const listeners = getKit().listeners
  listeners.holders += 1
  if (!listeners.remove) {
    const onError = (event: ErrorEvent) => {
      // "Script error." without a file is a cross-origin script we get no details from.
      if (event.error == null && (!event.filename || /^Script error\.?$/.test(event.message))) return
      reportError(event.error ?? event, 'onerror')
    }
    const onRejection = (event: PromiseRejectionEvent) => reportError(event.reason, 'onunhandledrejection')
    window.addEventListener('error', onError)
    window.addEventListener('unhandledrejection', onRejection)
    listeners.remove = () => {
      window.removeEventListener('error', onError)
      window.removeEventListener('unhandledrejection', onRejection)
      listeners.remove = null
    }
  }
  let released = false
  return () => {
    if (released) return
    released = true
    listeners.holders -= 1
    if (listeners.holders <= 0) {
      listeners.holders = 0
      listeners.remove?.()
    }
  }
}

/**
 * @internal Sends one browser error to every enabled backend, or keeps it until they have loaded. The same
 * error object is reported once, whichever paths it takes (window listener, error boundary,
 * manual capture).
 */
export function reportError(thrown: unknown, source: ErrorSource): void {
  const kit = getKit()
  if (!readBrowserConfig()) return
  const { reported, pending, limiter } = kit.errors
  if (thrown !== null && typeof thrown === 'object') {
    if (reported.has(thrown)) return
    reported.add(thrown)
  }
  const error: PendingError = { thrown, source, at: Date.now() }
  if (kit.phase !== 'ready') {
    if (pending.length < MAX_BUFFERED) pending.push(error)
    return
  }
  if (takeToken(limiter)) deliverError(kit, error)
}

/** @internal Replays what was buffered; called once, when every enabled SDK has loaded or failed to. */
export function flushBufferedErrors(kit: Kit): void {
  for (const pending of kit.errors.pending.splice(0)) deliverError(kit, pending)
}

function deliverError(kit: Kit, pending: PendingError): void {
  let sentryEventId: string | undefined
  try {
    sentryEventId = kit.backends.sentry?.captureError(pending)
  } catch {
    // Telemetry fails open.
  }
  try {
    kit.backends.posthog?.captureError(pending, sentryEventId)
  } catch {
    // Telemetry fails open.
  }
}

function takeToken(limiter: ErrorState['limiter']): boolean {
  const now = Date.now()
  if (limiter.refilledAt === 0) {
    limiter.tokens = BURST
    limiter.refilledAt = now
  }
  const earned = Math.floor((now - limiter.refilledAt) / REFILL_MS)
  if (earned > 0) {
    limiter.tokens = Math.min(BURST, limiter.tokens + earned)
    limiter.refilledAt += earned * REFILL_MS
  }
  if (limiter.tokens <= 0) return false
  limiter.tokens -= 1
  return true
}
