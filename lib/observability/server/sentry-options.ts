import type { ErrorEvent, EventHint } from '@sentry/core'
import type { ObservabilityConfig } from '../shared/config'
import { scrubBreadcrumb, scrubSentryEvent, scrubSpan, strictDataCollection } from '../shared/sentry-privacy'

type SentryOn = Extract<ObservabilityConfig['sentry'], { enabled: true }>

/**
 * `Sentry.init` options for the Node and Edge runtimes: the contract's environment, release and
 * sample rates, strict data collection, and the scrubber on every event, span and breadcrumb.
 */
export function sentryServerOptions(config: ObservabilityConfig & { sentry: SentryOn }) {
  const { sentry, posthog } = config
  return {
    dsn: sentry.dsn,
    environment: sentry.environment,
    release: config.release,
    sampleRate: sentry.sampleRate,
    tracesSampleRate: sentry.tracesSampleRate,
    dataCollection: strictDataCollection(posthog.enabled && posthog.llmPayloads),
    sendClientReports: false,
    beforeSend: (event: ErrorEvent, _hint: EventHint) => scrubSentryEvent(event),
    beforeSendSpan: scrubSpan,
    beforeBreadcrumb: scrubBreadcrumb,
  }
}
