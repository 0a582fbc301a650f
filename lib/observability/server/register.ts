import 'server-only'
import { getConfig } from '../edge/get-config'
import { sentryServerOptions } from './sentry-options'
import { currentRequestContext } from './request-context'
import { getPostHog } from './posthog-client'

/**
 * `register()` for the Node runtime (instrumentation.ts): prints config warnings once, starts
 * Sentry when `SENTRY_DSN` is set, and loads nothing at all when both backends are off.
 */
export async function registerNode(): Promise<void> {
  const config = getConfig({ warn: true })
  if (config.sentry.enabled) {
    const Sentry = await import('@sentry/nextjs')
    const telemetryHost = config.posthog.enabled ? config.posthog.host : undefined
    Sentry.init({
      ...sentryServerOptions({ ...config, sentry: config.sentry }),
      // posthog-node's own deliveries are not the app's traffic: no spans, no breadcrumbs.
      integrations: [Sentry.nativeNodeFetchIntegration({ ignoreOutgoingRequests: (url) => !!telemetryHost && url.startsWith(telemetryHost) })],
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
