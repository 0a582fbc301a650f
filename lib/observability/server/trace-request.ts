import 'server-only'
import { winterCGRequestToRequestData } from '@sentry/core'

type SentryModule = typeof import('@sentry/nextjs')

/**
 * Runs a tracked request in its own Sentry isolation scope (so `Sentry.setUser` and tags set by
 * the app stay with this request) and, when sampled by `SENTRY_TRACES_SAMPLE_RATE`, as a Sentry
 * transaction that continues the browser's trace (`sentry-trace` / `baggage` headers).
 */
export function traceRequest(Sentry: SentryModule, request: Request, name: string, run: () => Promise<Response>): Promise<Response> {
  return Sentry.withIsolationScope((scope) => {
    // Without Sentry's Http integration (docs/decisions/009) nothing else tells the scope which
    // request this is; events get method, URL and headers from here, filtered by
    // `dataCollection` and scrubbed in `beforeSend`. The body is never read.
    scope.setSDKProcessingMetadata({ normalizedRequest: winterCGRequestToRequestData(request) })
    return Sentry.continueTrace({ sentryTrace: request.headers.get('sentry-trace') ?? undefined, baggage: request.headers.get('baggage') ?? undefined }, () =>
      Sentry.startSpan({ name, op: 'http.server', forceTransaction: true, attributes: { 'sentry.source': 'route', 'http.request.method': request.method } }, async (span) => {
        const response = await run()
        Sentry.setHttpStatus(span, response.status)
        return response
      }),
    )
  })
}
