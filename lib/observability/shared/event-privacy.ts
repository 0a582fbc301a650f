import { scrubDeep, scrubUrl } from './scrub.js'

/**
 * The privacy policy (`scrub.ts`) for whole PostHog events and replay recordings, shared by the
 * browser (posthog-js `before_send`, Sentry replay's `beforeAddRecordingEvent`) and the server
 * (every event before it is handed to posthog-node).
 */

/** Nothing of an event is cut or dropped here: only secrets are replaced. */
const WHOLE = { maxStringLength: Infinity, maxEntries: 100_000, maxDepth: 16 } as const
/** posthog-js's `token` is the public project key; removing it makes posthog-js drop the event. */
const BROWSER_KEEP = new Set(['token'])

interface PostHogEventLike {
  event?: string
  properties?: Record<string, unknown>
  $set?: Record<string, unknown>
  $set_once?: Record<string, unknown>
}

/**
 * posthog-js `before_send`: every property, `$set` and `$set_once` scrubbed, page URLs
 * (`$current_url`, `$initial_current_url`, `$session_entry_url`, `$referrer`…) included. A
 * `$snapshot`'s recording is scrubbed event by event (`scrubRecordingEvent`), leaving its
 * compressed DOM data as it is.
 */
export function scrubPostHogEvent<E extends PostHogEventLike | null>(event: E): E {
  if (!event) return event
  const props = event.properties
  if (props) {
    if (event.event === '$snapshot' && Array.isArray(props.$snapshot_data)) {
      const { $snapshot_data: recording, ...rest } = props
      event.properties = {
        ...(scrubDeep(rest, { ...WHOLE, keepKeys: BROWSER_KEEP }) as Record<string, unknown>),
        $snapshot_data: recording.map(scrubRecordingEvent),
      }
    } else {
      event.properties = scrubDeep(props, { ...WHOLE, keepKeys: BROWSER_KEEP }) as Record<string, unknown>
    }
  }
  if (event.$set) event.$set = scrubDeep(event.$set, WHOLE) as Record<string, unknown>
  if (event.$set_once) event.$set_once = scrubDeep(event.$set_once, WHOLE) as Record<string, unknown>
  return event
}

/** Server events: the properties the kit hands to posthog-node, scrubbed. */
export function scrubServerProperties(properties: Record<string, unknown>): Record<string, unknown> {
  return scrubDeep(properties, WHOLE) as Record<string, unknown>
}

/** rrweb event types that carry URLs and app data rather than the (masked) DOM. */
const META = 4
const CUSTOM = 5
const PLUGIN = 6

/**
 * One replay recording event (rrweb), for both replays: the page URL of a meta event, and the
 * URLs, breadcrumbs and network data of custom and plugin events. DOM snapshots and mutations
 * (masked by the recorders) pass as they are; they may be compressed.
 */
export function scrubRecordingEvent<T>(event: T): T {
  const e = event as { type?: unknown; data?: Record<string, unknown> } | null
  if (!e || typeof e !== 'object' || !e.data || typeof e.data !== 'object') return event
  if (e.type === META) {
    if (typeof e.data.href === 'string') return { ...e, data: { ...e.data, href: scrubUrl(e.data.href) } } as T
    return event
  }
  if (e.type === CUSTOM || e.type === PLUGIN) return { ...e, data: scrubDeep(e.data, WHOLE) } as T
  return event
}
