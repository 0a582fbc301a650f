import { getConfig } from '../shared/get-config.js'
import { reportFailure } from '../shared/report-failure.js'
import { isValidRequestId, REQUEST_ID_HEADER } from '../shared/request-id.js'
import { sentryServerOptions } from '../shared/sentry-options.js'
import { DELIVERY_BUDGET_MS } from '../shared/settle-within.js'

type SentryModule = typeof import('@sentry/nextjs')
type PostHogClient = InstanceType<typeof import('posthog-node').PostHog>

/** What Next passes to `onRequestError` (the same shape on both runtimes). */
interface EdgeRequestInfo {
  readonly path: string
  readonly method: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}
interface EdgeErrorContext {
  readonly routePath: string
  readonly routeType: string
}

/**
 * `register()` for the Edge runtime: parses the config once and starts nothing. (Its warnings
 * are printed once, by the Node runtime's `registerNode`, not once per runtime.)
 *
 * The Edge runtime here runs the middleware, on every request, page views included. Sentry's
 * edge SDK installs an OpenTelemetry context manager that Next's middleware spans then go
 * through: CPU on every request (docs/benchmarks.md) to catch errors that are rare. So
 * both SDKs start on the first error instead (`onEdgeRequestError`), and a healthy request pays
 * nothing.
 */
export async function registerEdge(): Promise<void> {
  getConfig()
}

let sentry: Promise<SentryModule | null> | undefined
let posthog: PostHogClient | null | undefined

function startSentry(): Promise<SentryModule | null> {
  const config = getConfig()
  const on = config.sentry
  if (!on.enabled) return Promise.resolve(null)
  sentry ??= import('@sentry/nextjs').then(
    (Sentry) => {
      const { tracesSampleRate: _errorsOnly, tracesSampler: _none, ...options } = sentryServerOptions({ ...config, sentry: on })
      Sentry.init({
        ...options,
        enableOpenTelemetrySetup: false,
        defaultIntegrations: [Sentry.dedupeIntegration(), Sentry.functionToStringIntegration(), Sentry.linkedErrorsIntegration()],
      })
      return Sentry
    },
    () => null,
  )
  return sentry
}

async function startPostHog(): Promise<PostHogClient | null> {
  const config = getConfig()
  if (!config.posthog.enabled) return null
  if (posthog === undefined) {
    try {
      // posthog-node's edge build (fetch, no Node built-ins), picked by the `edge-light` condition.
      const { PostHog } = await import('posthog-node')
      posthog = new PostHog(config.posthog.apiKey, {
        host: config.posthog.host,
        flushAt: 1,
        flushInterval: 0,
        requestTimeout: DELIVERY_BUDGET_MS,
        disableGeoip: true,
      })
    } catch {
      posthog = null
    }
  }
  return posthog
}

/**
 * `onRequestError` on the Edge runtime: an error thrown in the middleware (the kit's or the app's
 * composed into it) reaches Sentry and PostHog `$exception` once each, through the same report as
 * on Node, tagged with the request id when the request carried a valid one. Never throws; waits
 * at most `DELIVERY_BUDGET_MS` for delivery.
 *
 * @example
 * // instrumentation.ts: the package's `onRequestError` calls it on the Edge runtime
 * export { register, onRequestError } from 'nextjs-observability-kit/instrumentation'
 */
export async function onEdgeRequestError(error: unknown, request: EdgeRequestInfo, context: EdgeErrorContext): Promise<void> {
  try {
    const config = getConfig()
    if (!config.sentry.enabled && !config.posthog.enabled) return
    const header = request.headers[REQUEST_ID_HEADER]
    const requestId = typeof header === 'string' && isValidRequestId(header) ? header : undefined
    const [sentry, posthog] = await Promise.all([startSentry(), startPostHog()])
    await reportFailure(
      { sentry, posthog },
      {
        error,
        distinctId: 'system',
        user: null,
        requestId,
        endpoint: context.routePath,
        method: request.method,
        statusCode: 500,
        tags: { route_type: context.routeType },
        request: { method: request.method, url: request.path, headers: headersOf(request.headers) },
        mechanism: { type: 'auto.function.nextjs.on_request_error', handled: false },
      },
    )
  } catch {
    // Telemetry fails open: the middleware's own error is what Next reports and answers with.
  }
}

function headersOf(headers: EdgeRequestInfo['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(headers)) if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value
  return out
}
