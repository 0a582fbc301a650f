import 'server-only'
import { scrubServerProperties } from '../shared/event-privacy.js'
import type { ServerEvent } from '../shared/events.js'
import { warnOnce } from './fail-open.js'
import { getEventBatch } from './posthog-client.js'

/**
 * Queues one catalogue event for PostHog (server/event-batch.ts). Only `ServerEvent` shapes
 * compile, so property names cannot drift from the catalogue (docs/events.md). Never awaits the
 * network and never throws. The event's properties become the queue's: callers build them for
 * this event alone.
 */
export function capture(distinctId: string, e: ServerEvent, options: { anonymous?: boolean; sessionId?: string } = {}): void {
  const batch = getEventBatch()
  if (!batch) return
  try {
    const properties = e.properties as unknown as Record<string, unknown>
    if (options.sessionId) properties.$session_id = options.sessionId
    // Anonymous traffic creates no person profiles (docs/events.md "Users").
    if (options.anonymous) properties.$process_person_profile = false
    // The privacy policy applies before the event leaves the process (docs/privacy.md): when its
    // batch is serialised if every value is a primitive, which the caller can no longer change;
    // now for nested values (a generation's messages), whose scrubbed copy is then the event's own.
    const flat = onlyPrimitives(properties)
    batch.push({ event: e.event, distinct_id: distinctId, at: Date.now(), scrubbed: !flat, properties: flat ? properties : scrubServerProperties(properties) })
  } catch (error) {
    warnOnce('posthog capture', error)
  }
}

function onlyPrimitives(properties: Record<string, unknown>): boolean {
  for (const key in properties) {
    const value = properties[key]
    if (typeof value === 'object' && value !== null) return false
  }
  return true
}
