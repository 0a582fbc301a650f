import {
  addBreadcrumb,
  addEventProcessor,
  browserTracingIntegration,
  captureException,
  getClient,
  addIntegration,
  init,
  setTag,
  setUser,
  withScope,
} from '@sentry/browser'
import type { Integration } from '@sentry/core'
import type { BrowserConfig } from '../../shared/browser-config.js'
import { scrubBreadcrumb, scrubReplayEvent, scrubSentryEvent, scrubSpan, strictDataCollection } from '../../shared/sentry-privacy.js'
import { sentryUser, userProperties } from '../../shared/user.js'
import { KIT_PREFIX } from '../../shared/routes.js'
import type { ErrorSource, Kit, PendingError, SentryBackend } from '../kit.js'
import { subscribeUser } from '../user-store.js'
import { connectBreadcrumbSink } from '../breadcrumb-buffer.js'
import { isKitConsoleLine } from '../../shared/breadcrumb.js'

/** Integrations whose job the kit does itself (see `startSentry`). */
const KIT_OWNED = new Set(['GlobalHandlers', 'BrowserApiErrors'])

const MECHANISM: Record<ErrorSource, string> = {
  onerror: 'auto.browser.global_handlers.onerror',
  onunhandledrejection: 'auto.browser.global_handlers.onunhandledrejection',
  boundary: 'auto.function.nextjs.error_boundary',
  manual: 'generic',
}

/**
 * Sentry browser glue, in its own chunk: loaded after `load` and only when Sentry is on. The only
 * place that calls `Sentry.init` (guarded by `getClient()`).
 *
 * `@sentry/browser`, not `@sentry/nextjs`: the Next client entry always adds browser tracing and
 * expects `withSentryConfig`'s build-time values, and nothing in it is needed here (the server
 * side keeps `@sentry/nextjs`). `@sentry/react` would add only an ErrorBoundary we do not use.
 * See docs/decisions/005-browser-sdks-load-after-load.md (with the sizes measured then).
 *
 * Integrations off, and why: GlobalHandlers (the kit's window listeners report uncaught errors,
 * so each reaches Sentry once, including those from before this chunk loaded) and
 * BrowserApiErrors (it would report an error from a wrapped callback, rethrow it, and the
 * rethrown error would then reach the kit's listener as a second report).
 *
 * @internal Called by the kit once Sentry's chunk has loaded; apps use the provider.
 */
export function startSentry(config: BrowserConfig, kit: Kit): SentryBackend | null {
  const se = config.se
  if (!se) return null
  if (!getClient()) {
    const replay = se.replaysSessionSampleRate > 0 || se.replaysOnErrorSampleRate > 0
    init({
      dsn: se.dsn,
      tunnel: se.tunnel,
      environment: se.env,
      release: config.release,
      sampleRate: se.sampleRate,
      tracesSampleRate: se.tracesSampleRate,
      replaysSessionSampleRate: se.replaysSessionSampleRate,
      replaysOnErrorSampleRate: se.replaysOnErrorSampleRate,
      dataCollection: strictDataCollection(false),
      sendClientReports: false,
      // Linked after scrubbing: the scrubber filters any key containing "session".
      beforeSend: (event, hint) => linkPostHog(scrubSentryEvent(event, hint), kit),
      // The kit's own `[observability]` lines are not the page's steps.
      beforeBreadcrumb: (crumb) => (isKitConsoleLine(crumb) ? null : scrubBreadcrumb(crumb)),
      beforeSendSpan: scrubSpan,
      integrations: (defaults: Integration[]) => [
        ...defaults.filter((integration) => !KIT_OWNED.has(integration.name)),
        ...(se.tracesSampleRate > 0 ? [browserTracingIntegration({ shouldCreateSpanForRequest: (url) => !isKitUrl(url) })] : []),
      ],
    })
    // The replay event's list of visited URLs reaches event processors, not `beforeSend`.
    addEventProcessor(scrubReplayEvent)
    // Sentry's recorder is its own chunk, fetched only when it records: one recorder per page by
    // default (PostHog's), docs/configuration.md "Replay". Added once the client exists, as
    // Sentry documents for a lazily loaded replay.
    if (replay) {
      import('./sentry-replay.js').then(
        (m) => addIntegration(m.sentryReplayIntegration(config.mask)),
        (error: unknown) => console.warn('[observability] Sentry replay failed to load; this page is not recorded by Sentry', error),
      )
    }
  }
  // Browser events belong to the document the visitor loaded (docs/events.md "One request id").
  setTag('request_id', config.rid)
  // `addBreadcrumb()` steps, those from before load first (client/breadcrumb-buffer.ts).
  connectBreadcrumbSink((breadcrumb) => addBreadcrumb(breadcrumb))

  const applyUser = () => {
    const { user } = kit.page
    if (user !== undefined) setUser(sentryUser(userProperties(user, config.pii, config.internal)))
  }
  applyUser()
  subscribeUser(applyUser)

  return { captureError }
}

function captureError(error: PendingError): string | undefined {
  // An ErrorEvent stands in only when the browser gave no error object; its message is all we have.
  const thrown = typeof ErrorEvent !== 'undefined' && error.thrown instanceof ErrorEvent ? error.thrown.message : error.thrown
  const hint = { mechanism: { type: MECHANISM[error.source], handled: error.source === 'manual' } }
  // Errors replayed from before the SDK loaded keep the time they happened.
  if (Date.now() - error.at < 1_000) return captureException(thrown, hint)
  let eventId: string | undefined
  withScope((scope) => {
    scope.addEventProcessor((event) => ({ ...event, timestamp: error.at / 1_000 }))
    eventId = captureException(thrown, hint)
  })
  return eventId
}

/**
 * A Sentry event carries the PostHog ids, so each backend links to the other. Read when the
 * event is sent, not at init: PostHog may load after Sentry, and its ids change with identify/reset.
 */
function linkPostHog<E extends { tags?: Record<string, unknown> }>(event: E, kit: Kit): E {
  const distinctId = kit.backends.posthog?.distinctId()
  const sessionId = kit.backends.posthog?.sessionId()
  if (distinctId || sessionId) {
    event.tags = {
      ...event.tags,
      ...(distinctId ? { posthog_distinct_id: distinctId } : {}),
      ...(sessionId ? { posthog_session_id: sessionId } : {}),
    }
  }
  return event
}

function isKitUrl(url: string): boolean {
  try {
    return new URL(url, window.location.href).pathname.startsWith(`${KIT_PREFIX}/`)
  } catch {
    return false
  }
}
