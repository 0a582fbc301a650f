import 'server-only'
import { getConfig } from '../edge/get-config'
import { sentryServerOptions } from './sentry-options'
import { currentRequestContext } from './request-context'
import { getPostHog } from './posthog-client'
import { loadSentry } from './sentry'

/**
 * `register()` for the Node runtime (instrumentation.ts): prints config warnings once, starts
 * Sentry when `SENTRY_DSN` is set, and loads nothing at all when both backends are off.
 */
export async function registerNode(): Promise<void> {
  const config = getConfig({ warn: true })
  if (config.sentry.enabled) {
    const Sentry = await loadSentry()
    if (!Sentry) return
    const telemetryHost = config.posthog.enabled ? config.posthog.host : undefined
    Sentry.init({
      ...sentryServerOptions({ ...config, sentry: config.sentry }),
      // Sentry's OpenTelemetry provider turns every internal Next.js span into a real one and
      // roughly triples the CPU cost of a request (docs/benchmarks.md). Without it, errors are
      // captured as before, scopes still follow each request (AsyncLocalStorage), and traces come
      // from the spans the kit starts around tracked requests and LLM calls.
      enableOpenTelemetrySetup: false,
      // posthog-node's own deliveries are not the app's traffic: no spans, no breadcrumbs.
      integrations: (defaults) => [
        // Http instruments every incoming request, pages and assets included, to fork a scope;
        // the kit forks one itself around tracked requests only (traceRequest).
        ...defaults.filter((i) => i.name !== 'Http' && i.name !== 'NodeFetch' && i.name !== 'Context'),
        Sentry.nativeNodeFetchIntegration({ ignoreOutgoingRequests: (url) => !!telemetryHost && url.startsWith(telemetryHost) }),
        // The app and device contexts re-read process memory (`memoryUsage()`, `availableMemory()`)
        // for every event and every traced request: ~400 µs per transaction in the profiles, the
        // largest single Sentry cost. OS, culture and cloud contexts are computed once and kept.
        Sentry.nodeContextIntegration({ app: false, device: false }),
      ],
    })
    // Any Sentry event raised inside a tracked request (even by app code calling Sentry directly)
    // carries the request id and endpoint.
    Sentry.addEventProcessor((event) => {
      const ctx = currentRequestContext()
      if (ctx) event.tags = { request_id: ctx.requestId, endpoint: ctx.endpoint, ...event.tags }
      return event
    })
  }
  if (config.posthog.enabled) getPostHog()
  const on = [config.posthog.enabled && `PostHog → ${config.posthog.host}`, config.sentry.enabled && `Sentry (${config.sentry.environment})`].filter(Boolean)
  if (on.length) console.info(`[observability] ${on.join(', ')}; release ${config.release}`)
}
