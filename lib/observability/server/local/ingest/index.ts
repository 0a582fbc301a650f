/**
 * Decoders for PostHog and Sentry ingestion traffic, and the answers a PostHog project gives
 * (remote config, flags, lazy scripts), shared by the test fake server and the app's local-mode
 * ingestion routes. Node-only (node:zlib, node:fs) but framework-free: no Next import and no
 * `server-only`, because plain-Node tests import it too. The decoders are pure; only
 * `readPosthogStatic` reads files.
 */
export { DecodeError } from './decode-error.js'
export { DecodeBudget, type DecodeOptions } from './bytes.js'
export * from './limits.js'
export { classifyIngestRequest, decodeIngestRequest, searchableText } from './decode.js'
export type { DecodeIngestOptions, DecodedIngest, IngestKind } from './decode.js'
export {
  POSTHOG_EVENT_ENDPOINTS,
  POSTHOG_FLAGS_ENDPOINTS,
  decodePostHogEvents,
  decodePostHogFlagsRequest,
  decodePostHogJson,
  posthogEndpoint,
} from './decode-posthog.js'
export type { PostHogEndpoint } from './decode-posthog.js'
export { decodeRrwebEvent, decodeSnapshotData } from './decode-snapshot.js'
export { decodeReplayRecording } from './decode-replay.js'
export { decodeSentryRequest, isTunnelEnvelope, parseSentryEnvelope, sentryAuth, sentryProjectFromPath } from './decode-sentry.js'
export { decompressLz64 } from './lz64.js'
export type * from './types.js'
export {
  DEFAULT_REMOTE_CONFIG,
  flagsResponse,
  posthogStaticCacheUsage,
  posthogStaticName,
  readPosthogStatic,
  remoteConfigRequest,
  remoteConfigScript,
  staticContentType,
  type FlagValue,
} from './posthog-answers.js'
