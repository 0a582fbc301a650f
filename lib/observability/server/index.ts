import 'server-only'

/**
 * Server entry (`nextjs-observability-kit/server`): route handlers, server components, server
 * actions and scripts, on the Node runtime.
 *
 * Leaves out `register` and `onRequestError` (`/instrumentation`), the middleware (`/edge`), the
 * browser provider and hooks (`/client`), the ingestion routes (`/routes/*`) and test hooks
 * (`/testing`). The SDKs are not re-exported: call `Sentry.*` and posthog-node directly for what
 * the kit does not wrap.
 */
export { withTracking, type TrackingOptions, type RouteHandler } from './with-tracking.js'
export { withServerActionTracking, type ServerActionTrackingOptions } from './with-server-action-tracking.js'
export { captureException, type CaptureExceptionOptions } from './capture-exception.js'
export { runObserved, type RunObservedOptions } from './run-observed.js'
export { getRequestId } from './request-id.js'
export { addBreadcrumb, type KitBreadcrumb, type BreadcrumbLevel } from './add-breadcrumb.js'
export { isFeatureEnabled, getFlag, getAllFlags, type FlagOptions } from './flags.js'
export { getFlagBootstrap, type FlagBootstrap } from './flag-bootstrap.js'
export { traceGeneration, type GenerationMeta } from './llm/trace-generation.js'
export { traceOpenAIChat, type TraceOpenAIChatOptions } from './llm/trace-openai-chat.js'
export type { GenerationAdapter, GenerationReading, StreamReading, ChunkKind, GenerationSink } from './llm/generation-adapter.js'
export type { ObservedUser } from '../shared/user.js'
export type { UserImpactRule, ImpactContext, ErrorType, UserImpact } from '../shared/categorize.js'
