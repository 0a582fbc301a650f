import 'server-only'
import { eventUuid } from './event-uuid.js'
import { scrubServerProperties } from '../shared/event-privacy.js'
import type { ServerEvent } from '../shared/events.js'
import { warnOnce } from './fail-open.js'
import { isoTimestamp } from './iso-timestamp.js'
import { getEventBatch } from './posthog-client.js'

/**
 * Queues one catalogue event for PostHog (server/event-batch.ts). Only `ServerEvent` shapes
 * compile, so property names cannot drift from the catalogue (docs/events.md). Never awaits the
 * network and never throws.
 */
export function capture(distinctId: string, e: ServerEvent, options: { anonymous?: boolean; sessionId?: string } = {}): void {
  const batch = getEventBatch()
  if (!batch) return
  try {
    // The privacy policy applies before the event is queued (docs/privacy.md); its copy is this event's own.
    const properties = scrubServerProperties(e.properties as unknown as Record<string, unknown>)
    if (options.sessionId) properties.$session_id = options.sessionId
    // Anonymous traffic creates no person profiles (docs/events.md "Users").
    if (options.anonymous) properties.$process_person_profile = false
    batch.push({ type: 'capture', distinct_id: distinctId, event: e.event, uuid: eventUuid(), timestamp: isoTimestamp(), properties })
  } catch (error) {
    warnOnce('posthog capture', error)
  }
}
