import 'server-only'
import { winterCGRequestToRequestData } from '@sentry/core'
import { getConfig } from '../shared/get-config.js'
import { attachRequestContext, type RequestContext } from './request-context.js'
import type { TraceLink } from '../shared/report-failure.js'
import { PRESAMPLED_ATTRIBUTE } from '../shared/sentry-options.js'

export type { TraceLink }

type SentryModule = typeof import('@sentry/nextjs')

const SENTRY_TRACE = /^\s*[0-9a-f]{32}-[0-9a-f]{16}(?:-([01]))?\s*$/i

/**
 * Runs a tracked request in its own Sentry isolation scope (so `Sentry.setUser` and tags set by
 * the app stay with this request), continuing the browser's trace (`sentry-trace` / `baggage`) so
 * that errors link to it, and, when sampled by `SENTRY_TRACES_SAMPLE_RATE`, as a transaction.
 *
 * The sampling decision comes first: an unsampled `startSpan` still costs CPU on every request
 * (docs/benchmarks.md), a large part of what the kit may cost a request, for a span
 * nobody receives. Sampled requests are marked so that `tracesSampler` does not roll again.
 */
export function traceRequest(
  Sentry: SentryModule,
  request: Request,
  span: { name: string; context: RequestContext },
  run: () => Promise<Response>,
  link: TraceLink = {},
): Promise<Response> {
  if (sentryTracing() === 'full') return joinSentryRequest(Sentry, request, span.context, run, link)
  const sentryTrace = request.headers.get('sentry-trace') ?? undefined
  return Sentry.withIsolationScope((scope) => {
    // The kit's request context lives on this scope (runWithRequestContext): one fork for both.
    // Without Sentry's Http integration (docs/decisions/009) nothing else tells the scope which
    // request this is: events raised by the handler get method, URL and headers from the request
    // held here (described only when an event is raised, filtered by `dataCollection`, scrubbed
    // in `beforeSend`); the body is never read.
    attachRequestContext(scope, span.context, request)
    // Failures are reported after the response, outside this scope: they go back into it.
    link.scope = scope
    const traced = () => {
      const propagation = Sentry.getCurrentScope().getPropagationContext()
      link.traceId = propagation.traceId
      link.parentSpanId = propagation.parentSpanId
      if (!shouldSample(sentryTrace)) return run()
      return Sentry.startSpan(
        {
          name: span.name,
          op: 'http.server',
          forceTransaction: true,
          // `request_id` finds a request's spans by its id, like its events (docs/events.md).
          attributes: { 'sentry.source': 'route', 'http.request.method': request.method, request_id: span.context.requestId, [PRESAMPLED_ATTRIBUTE]: true },
        },
        async (root) => {
          link.parentSpanId = root.spanContext().spanId
          // A traced request is described now: its root span takes URL and method from the scope
          // when it ends. Set after the span starts, not before: @sentry/nextjs copies the headers
          // the scope holds at span start onto the root span, which we do not want sent.
          scope.setSDKProcessingMetadata({ normalizedRequest: winterCGRequestToRequestData(request) })
          const response = await run()
          Sentry.setHttpStatus(root, response.status)
          return response
        },
      )
    }
    // The forked scope already holds a new trace; `continueTrace` (two more scope forks and the
    // baggage parsed) is only needed to join the browser's.
    return sentryTrace ? Sentry.continueTrace({ sentryTrace, baggage: request.headers.get('baggage') ?? undefined }, traced) : traced()
  })
}

/**
 * At `SENTRY_TRACES_SAMPLE_RATE=0` tracing is off, and no request turns it on: a `sentry-trace`
 * header is anyone's to send. Otherwise the caller's decision (`<trace>-<span>-1|0`, the
 * browser's, so its traces continue here) when it made one, else the rate (docs/privacy.md).
 */
function shouldSample(sentryTrace: string | undefined): boolean {
  const config = getConfig()
  const rate = config.sentry.enabled ? config.sentry.tracesSampleRate : 0
  if (rate === 0) return false
  const parent = sentryTrace ? SENTRY_TRACE.exec(sentryTrace)?.[1] : undefined
  if (parent !== undefined) return parent === '1'
  return Math.random() < rate
}

/**
 * `SENTRY_TRACING=full`: Sentry's instrumentation already started this request's root span (named
 * `GET /api/items/[id]` from Next's route) and continued the browser's trace. The kit adds no span
 * of its own: it keeps its request context on a scope of this request, puts `request_id` on the
 * root span, and remembers where the request sits in the trace for failures reported after the
 * response.
 */
function joinSentryRequest(Sentry: SentryModule, request: Request, context: RequestContext, run: () => Promise<Response>, link: TraceLink): Promise<Response> {
  return Sentry.withIsolationScope((scope) => {
    attachRequestContext(scope, context, request)
    link.scope = scope
    const active = Sentry.getActiveSpan()
    const root = active && Sentry.getRootSpan(active)
    if (root) {
      root.setAttribute('request_id', context.requestId)
      link.traceId = root.spanContext().traceId
      link.parentSpanId = root.spanContext().spanId
    } else {
      const propagation = Sentry.getCurrentScope().getPropagationContext()
      link.traceId = propagation.traceId
      link.parentSpanId = propagation.parentSpanId
    }
    return run()
  })
}

function sentryTracing(): 'kit' | 'full' {
  const config = getConfig()
  return config.sentry.enabled ? config.sentry.tracing : 'kit'
}
