import 'server-only'

/**
 * Server entry: route handlers, server components, server actions and instrumentation.ts.
 *
 * Node runtime only (`server-only`, posthog-node, Sentry's server SDK, AsyncLocalStorage). The
 * middleware helpers are in `../edge`; the browser provider and hooks in `../client`.
 */
export { withTracking, type TrackingOptions, type RouteHandler } from './with-tracking'
export { withServerActionTracking, type ServerActionTrackingOptions } from './with-server-action-tracking'
export { captureException, type CaptureExceptionOptions } from './capture-exception'
export { runObserved, type RunObservedOptions } from './run-observed'
export { isFeatureEnabled, getFlag, getAllFlags, type FlagOptions } from './flags'
export { getRequestId } from './request-id'
export { createOnRequestError, type OnRequestErrorOptions } from './on-request-error'
export { getPostHog, flushSoon } from './posthog-client'
export { getFlagBootstrap, type FlagBootstrap } from './flag-bootstrap'
export { posthogProxy, sentryTunnel } from './proxy'
export { localSentryIngest, localEvents, localEvent, localViewer, localPreflight } from './local/local-routes'
export { traceGeneration, type GenerationMeta } from './llm/trace-generation'
export { traceOpenAIChat, type TraceOpenAIChatOptions } from './llm/trace-openai-chat'
export { openAIChat } from './llm/openai-chat'
export { anthropicMessages } from './llm/anthropic-messages'
export { aiSdk } from './llm/ai-sdk'
export type { GenerationAdapter, GenerationReading, StreamReading, ChunkKind, GenerationSink } from './llm/generation-adapter'
export { getConfig } from '../shared/get-config'
export type { ObservedUser } from '../shared/user'
export type { UserImpactRule, ImpactContext, ErrorType, UserImpact } from '../shared/categorize'
