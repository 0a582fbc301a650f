import type { ErrorEvent, EventHint } from '@sentry/core'
import type { ObservabilityConfig } from './config.js'
import { isUntrackedPath } from './routes.js'
import { scrubBreadcrumb, scrubSentryEvent, scrubSpan, strictDataCollection } from './sentry-privacy.js'

/** Span attribute by which `tracesSampler` knows the kit already sampled a request in (traceRequest). */
export const PRESAMPLED_ATTRIBUTE = 'observability.presampled'

type SentryOn = Extract<ObservabilityConfig['sentry'], { enabled: true }>

/**
 * `Sentry.init` options for the Node and Edge runtimes: the documented environment, release and
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
    // The kit's own routes (proxy, tunnel, local mode) and health checks are never traced: their
    // traffic is telemetry, and in local mode each traced envelope POST would send another. The
    // kit itself never starts such spans; this guards apps that turn Sentry's Http/OpenTelemetry
    // instrumentation back on (docs/decisions/009).
    // Requests the kit traces are sampled before their span starts (traceRequest): not twice.
    // At rate 0 no incoming `sentry-trace` can turn tracing on (trace-request.ts says why).
    tracesSampler: ({ name, attributes, inheritOrSampleWith }: TracesSamplerContext) =>
      attributes?.[PRESAMPLED_ATTRIBUTE] === true
        ? 1
        : sentry.tracesSampleRate === 0 || isUntrackedRequest(name, attributes)
          ? 0
          : inheritOrSampleWith(sentry.tracesSampleRate),
    dataCollection: strictDataCollection(posthog.enabled && posthog.llmPayloads),
    sendClientReports: false,
    beforeSend: (event: ErrorEvent, hint: EventHint) => scrubSentryEvent(event, hint),
    beforeSendSpan: scrubSpan,
    beforeBreadcrumb: scrubBreadcrumb,
  }
}

interface TracesSamplerContext {
  name: string
  attributes?: Record<string, unknown>
  inheritOrSampleWith: (fallbackSampleRate: number) => number
}

/** A server span for a request the kit does not track, judged by its target or its `METHOD /path` name. */
function isUntrackedRequest(name: string, attributes: Record<string, unknown> = {}): boolean {
  const target = attributes['http.target'] ?? attributes['url.path'] ?? attributes['http.route'] ?? attributes['next.route']
  const path = typeof target === 'string' ? target : /^[A-Z]+ (\/\S*)/.exec(name)?.[1]
  if (!path) return false
  const pathname = path.split('?')[0] ?? ''
  return isUntrackedPath(pathname.replace(/^\/%5Fox(?=\/|$)/i, '/_ox'))
}
