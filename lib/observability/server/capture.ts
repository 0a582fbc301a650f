import 'server-only'
import { eventUuid } from './event-uuid.js'
import { scrubServerProperties } from '../shared/event-privacy.js'
import type { ServerEvent } from '../shared/events.js'
import { warnOnce } from './fail-open.js'
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
    batch.push({
      distinct_id: distinctId,
      event: e.event,
      // Time-ordered, like the ids PostHog's SDKs mint.
      uuid: eventUuid(),
      timestamp: new Date().toISOString(),
      // The privacy policy applies before the event is queued (docs/privacy.md).
      properties: {
        ...scrubServerProperties(e.properties as unknown as Record<string, unknown>),
        ...(options.sessionId ? { $session_id: options.sessionId } : {}),
        // Anonymous traffic creates no person profiles (docs/events.md "Users").
        ...(options.anonymous ? { $process_person_profile: false } : {}),
      },
    })
  } catch (error) {
    warnOnce('posthog capture', error)
  }
}
