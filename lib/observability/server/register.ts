import 'server-only'
import { winterCGRequestToRequestData, type Integration } from '@sentry/core'
import { getConfig } from '../shared/get-config.js'
import { deliverOnShutdown } from './deliver-on-shutdown.js'
import { sentryServerOptions } from '../shared/sentry-options.js'
import { currentRequestContext, heldRequest } from './request-context.js'
import { getEventBatch } from './posthog-client.js'
import { loadSentry } from './sentry.js'
import { requestBreadcrumbsOnly } from './add-breadcrumb.js'

/**
 * Sentry's default Node integrations that work without OpenTelemetry and runtime injection: error
 * capture, its context and request data, sessions, `'use cache'` spans and span delivery. The
 * other defaults instrument libraries (Express, Prisma, OpenAI…) and, with both off, only add
 * hooks: `ConversationId` alone reads both scopes on every span start. `Http` is left out too: it
 * forks a scope for every request, pages and assets included, where the kit forks one around
 * tracked requests only (traceRequest); `NodeFetch`, `Context` and `Console` come back below with
 * the kit's settings.
 */
const KEPT_DEFAULT_INTEGRATIONS = new Set([
  'EventFilters',
  'FunctionToString',
  'LinkedErrors',
  'RequestData',
  'NodeSystemError',
  'OnUncaughtException',
  'OnUnhandledRejection',
  'ContextLines',
  'LocalVariablesAsync',
  'ChildProcess',
  'WorkerThreads',
  'ProcessSession',
  'Modules',
  'NextjsUseCache',
  'SpanStreaming',
])

/** With `SENTRY_TRACING=full` every default is kept, except those the kit adds with its own settings below. */
const REPLACED_DEFAULT_INTEGRATIONS = new Set(['NodeFetch', 'Context', 'Console'])

/**
 * Console lines that become breadcrumbs of the request that printed them, as in the browser:
 * `info` and above (and failed `console.assert`). `log` and `debug` are what libraries and
 * frameworks chatter per request; an app's own steps go through `addBreadcrumb()`.
 */
const CONSOLE_BREADCRUMB_LEVELS = ['info', 'warn', 'error', 'assert'] as const

/**
 * The integrations that watch the process as a whole: Sentry reports `uncaughtException` and
 * `unhandledRejection` itself, and counts the process as a release-health session. In a script,
 * `runObserved()` does the first two through the kit's own path (`RegisterNodeOptions.processHooks`).
 */
const PROCESS_INTEGRATIONS = new Set(['OnUncaughtException', 'OnUnhandledRejection', 'ProcessSession'])

export interface RegisterNodeOptions {
  /**
   * `false` leaves the process's uncaught errors and its lifetime to the caller: `runObserved()`
   * reports a script's failures itself, once each to both backends (Sentry's handlers would send
   * a second event), decides the exit code, and a script run is not a user session. Default true.
   */
  readonly processHooks?: boolean
}

/**
 * An event raised inside a tracked request gets its request described here, when it is raised,
 * rather than on every request in advance (traceRequest holds the request on the scope).
 */
const describeHeldRequest: Integration = {
  name: 'ObservabilityRequest',
  processEvent(event) {
    const metadata = event.sdkProcessingMetadata
    if (metadata && !metadata.normalizedRequest) {
      const request = heldRequest(metadata)
      if (request) metadata.normalizedRequest = winterCGRequestToRequestData(request)
    }
    return event
  },
}

/**
 * `register()` for the Node runtime (instrumentation.ts): prints config warnings once, starts
 * Sentry when `SENTRY_DSN` is set, and loads nothing at all when both backends are off.
 */
export async function registerNode(options: RegisterNodeOptions = {}): Promise<void> {
  const config = getConfig({ warn: true })
  // Local mode's routes answer loopback clients only; their address is taken from each request's
  // socket from here on, before the first request is handled.
  if (config.local) (await import('./local/client-address.js')).watchClientAddresses()
  if (config.sentry.enabled) {
    const Sentry = await loadSentry()
    if (!Sentry) return
    const telemetryHost = config.posthog.enabled ? config.posthog.host : undefined
    const full = config.sentry.tracing === 'full'
    const keep = (i: Integration) =>
      (full ? !REPLACED_DEFAULT_INTEGRATIONS.has(i.name) : KEPT_DEFAULT_INTEGRATIONS.has(i.name)) &&
      (options.processHooks !== false || !PROCESS_INTEGRATIONS.has(i.name))
    Sentry.init({
      ...sentryServerOptions({ ...config, sentry: config.sentry }),
      // Sentry's OpenTelemetry provider turns every internal Next.js span into a real one and
      // multiplies the CPU cost of a request (docs/decisions/009). Without it, errors are
      // captured as before, scopes still follow each request (AsyncLocalStorage), and traces come
      // from the spans the kit starts around tracked requests and LLM calls. `SENTRY_TRACING=full`
      // asks for it, and for its default integrations, knowingly (docs/decisions/009).
      enableOpenTelemetrySetup: full,
      // Sentry 11 also hooks module loading to inject diagnostics channels into database and AI
      // clients. In a Next server it fails with a warning at startup and still leaves its module
      // loader thread behind (every `import()` then waits on it). The kit traces LLM calls itself
      // (docs/decisions/004); library spans need the OpenTelemetry setup above.
      enableRuntimeChannelInjection: false,
      // Breadcrumbs stay with the request that left them (server/add-breadcrumb.ts), scrubbed.
      beforeBreadcrumb: requestBreadcrumbsOnly,
      integrations: (defaults) => [
        // Before RequestData, which turns the description into the event's `request`.
        describeHeldRequest,
        ...defaults.filter(keep),
        // posthog-node's own deliveries are not the app's traffic: no spans, no breadcrumbs.
        Sentry.nativeNodeFetchIntegration({ ignoreOutgoingRequests: (url) => !!telemetryHost && url.startsWith(telemetryHost) }),
        // The app and device contexts re-read process memory (`memoryUsage()`, `availableMemory()`)
        // for every event and every traced request, the largest single Sentry cost in the profiles
        // (docs/decisions/009). OS, culture and cloud contexts are computed once and kept.
        Sentry.nodeContextIntegration({ app: false, device: false }),
        Sentry.consoleIntegration({ levels: [...CONSOLE_BREADCRUMB_LEVELS] }),
      ],
    })
    // Spans, sessions and late events still queued when a deploy stops the server.
    deliverOnShutdown((ms) => Sentry.flush(ms))
    // Any Sentry event raised inside a tracked request (even by app code calling Sentry directly)
    // carries the request id and endpoint.
    Sentry.addEventProcessor((event) => {
      const ctx = currentRequestContext()
      if (ctx) event.tags = { request_id: ctx.requestId, endpoint: ctx.endpoint, ...event.tags }
      return event
    })
  }
  // The event queue and its shutdown delivery; posthog-node itself starts on first use (flags, failures).
  if (config.posthog.enabled) getEventBatch()
  // The environment is labelled: a bare `Sentry (unknown)` read as Sentry's state, not its label.
  const on = [
    config.posthog.enabled && `PostHog → ${config.posthog.host}`,
    config.sentry.enabled && `Sentry (environment: ${config.sentry.environment}${config.sentry.tracing === 'full' ? ', full tracing' : ''})`,
  ].filter(Boolean)
  if (on.length) console.info(`[observability] ${on.join(', ')}; release ${config.release}`)
}
