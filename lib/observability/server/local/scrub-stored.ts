import 'server-only'
import type { ErrorEvent, StreamedSpanJSON } from '@sentry/core'
import { scrubPostHogEvent, scrubRecordingEvent } from '../../shared/event-privacy.js'
import { scrubReplayEvent, scrubSentryEvent, scrubSpan } from '../../shared/sentry-privacy.js'
import type { PostHogEvent, SentryEnvelopeRequest } from './ingest/types.js'

/**
 * Local mode's store is an exit like the others: what reaches it has passed the SDKs' hooks, and
 * the policy runs once more on what is written to disk, whatever sent it (an app calling an SDK's
 * transport directly, an older SDK version). The same rules as every other exit (docs/privacy.md).
 */

/** A decoded PostHog event, scrubbed; replay snapshots keep their masked DOM as recorded. */
export function scrubStoredPostHogEvent(event: PostHogEvent): PostHogEvent {
  return scrubPostHogEvent(event)
}

/** A decoded Sentry envelope, item by item: events, spans, replay events and recordings. */
export function scrubStoredEnvelope(envelope: SentryEnvelopeRequest): SentryEnvelopeRequest {
  for (const item of envelope.items) {
    const payload = item.payload as Record<string, unknown> | null
    if (!payload || typeof payload !== 'object') continue
    if (item.type === 'event' || item.type === 'transaction') item.payload = scrubSentryEvent(payload as unknown as ErrorEvent)
    else if (item.type === 'replay_event') item.payload = scrubReplayEvent(payload)
    else if (item.type === 'span' && Array.isArray(payload.items)) payload.items = payload.items.map((span) => scrubSpan(span as StreamedSpanJSON))
    else if (item.type === 'replay_recording' && Array.isArray(payload.events)) payload.events = payload.events.map(scrubRecordingEvent)
  }
  return envelope
}
