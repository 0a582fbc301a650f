/**
 * Every size bound of the ingestion decoders and of local mode's ingestion routes, in one place.
 * Each sits well above what the real SDKs send, so a real request is never refused, and each
 * keeps a hostile one from costing more than a few tens of MB of memory. `docs/configuration.md`
 * ("Local mode") lists them for users.
 */

const MiB = 1024 * 1024

/**
 * Wire size of a body to the local PostHog. PostHog's capture takes 20 MB on `/batch/`; posthog-js
 * sends replay in batches of about 1 MB and splits anything past about 6 MB.
 */
export const MAX_POSTHOG_BODY_BYTES = 20 * MiB

/**
 * Wire size of an envelope to the local Sentry. Relay takes 10 MiB of compressed replay; the
 * browser SDK stops a replay segment at 20 MB uncompressed, which compresses well below this.
 */
export const MAX_SENTRY_BODY_BYTES = 10 * MiB

/**
 * What all decompression of one request may produce together: every layer (Content-Encoding,
 * gzip by magic bytes, base64, lz-string) and every compressed field inside (posthog-js's per-event
 * replay fields, Sentry's replay recording) counts against the same budget. Real traffic stays
 * under 25 MB: PostHog's capture limit for `/s/` and Sentry's 20 MB replay segment.
 */
export const MAX_DECODED_BYTES = 64 * MiB

/**
 * Longest lz-string (`compression=lz64`) body, in base64 characters. lz-string cannot stop at an
 * output size and its output grows with the square of its input: at this length the worst case
 * stays under half of {@link MAX_DECODED_BYTES}. Only posthog-js releases from before 2024 sent
 * lz64, a whole batch at a time; today's send gzip.
 */
export const MAX_LZ64_CHARS = 16 * 1024

/**
 * The cache of posthog-js's lazy scripts that local mode serves: at most this many files and
 * bytes, least recently used dropped first. The scripts a page loads (recorder, surveys,
 * exception autocapture, their source maps) fit with room to spare.
 */
export const MAX_STATIC_CACHE_ENTRIES = 24
export const MAX_STATIC_CACHE_BYTES = 12 * MiB
