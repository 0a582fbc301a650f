/**
 * Decoders for PostHog and Sentry ingestion traffic, and the answers a PostHog project gives
 * (remote config, flags, lazy scripts), shared by the test fake server and the app's local-mode
 * ingestion routes. Node-only (node:zlib, node:fs) but framework-free: no Next import and no
 * `server-only`, because plain-Node tests import it too. The decoders are pure; only
 * `readPosthogStatic` reads files.
 */
export { DecodeError } from './decode-error'
export { DecodeBudget, type DecodeOptions } from './bytes'
export * from './limits'
export { classifyIngestRequest, decodeIngestRequest, searchableText } from './decode'
export type { DecodeIngestOptions, DecodedIngest, IngestKind } from './decode'
export {
  POSTHOG_EVENT_ENDPOINTS,
  POSTHOG_FLAGS_ENDPOINTS,
  decodePostHogEvents,
  decodePostHogFlagsRequest,
  decodePostHogJson,
  posthogEndpoint,
} from './decode-posthog'
export type { PostHogEndpoint } from './decode-posthog'
export { decodeRrwebEvent, decodeSnapshotData } from './decode-snapshot'
export { decodeReplayRecording } from './decode-replay'
export { decodeSentryRequest, isTunnelEnvelope, parseDsn, parseSentryEnvelope, sentryAuth, sentryProjectFromPath } from './decode-sentry'
export { decompressLz64 } from './lz64'
export type * from './types'
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
} from './posthog-answers'
