import { getConfig } from '../edge/get-config'
import { sentryServerOptions } from './sentry-options'

/**
 * `register()` for the Edge runtime: Sentry only, and only when `SENTRY_DSN` is set, for errors.
 * No tracing and no OpenTelemetry provider here: the middleware runs on every request, page views
 * included, and Sentry's middleware spans cost more CPU than the rest of the kit together
 * (docs/benchmarks.md).
 */
export async function registerEdge(): Promise<void> {
  const config = getConfig()
  if (!config.sentry.enabled) return
  const Sentry = await import('@sentry/nextjs')
  const { tracesSampleRate: _notHere, ...options } = sentryServerOptions({ ...config, sentry: config.sentry })
  Sentry.init({
    ...options,
    enableOpenTelemetrySetup: false,
    // Nothing that runs per request: no fetch or console instrumentation in the middleware sandbox.
    defaultIntegrations: [Sentry.dedupeIntegration(), Sentry.eventFiltersIntegration(), Sentry.functionToStringIntegration(), Sentry.linkedErrorsIntegration()],
  })
}
