/**
 * Decoders for PostHog and Sentry ingestion traffic, shared by the test fake server and the
 * app's local-mode ingestion routes. Node-only (node:zlib) but framework-free: no Next import
 * and no `server-only`, because plain-Node tests import it too. Pure functions; no I/O.
 */
export { DecodeError } from './decode-error'
export type { DecodeOptions } from './bytes'
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
