import 'server-only'
import type { LocalEventSummary } from './local-event.js'

/**
 * Groups local events into the timeline `/observability` shows: one group per request, with
 * what the browser and the server sent to PostHog and Sentry about it. Pure, so the rules are
 * unit-tested and the page only renders.
 *
 * The rules, in order (the page prints them too):
 * 1. `request_id` (PostHog property or Sentry tag) or `$ai_trace_id`: that request's group.
 * 2. A PostHog `$exception` whose `$sentry_event_id` names a Sentry event, or a Sentry envelope
 *    sharing its trace id (and side, browser or server) with a Sentry event or span that carries
 *    a request id: that group. One browser error then shows once per backend, side by side, and
 *    a request's spans sit with its errors.
 * 3. Other browser events with a `$session_id` (posthog-js puts it on everything): the group of
 *    the page they happened on, i.e. the latest `$pageview` of the same tab (`$window_id`)
 *    that carries a request id. The document's request id is the only one the browser knows.
 * 4. Browser events of a session with no such page view: one group per session.
 * 5. Anything else (a Sentry session update, a span outside any request): a row of its own.
 */

export type GroupKind = 'request' | 'session' | 'single'

/** How an event got into its group, shown next to it. */
export type GroupedBy = 'request id' | '$ai_trace_id' | 'Sentry link' | 'Sentry trace' | 'page view' | 'session' | 'none'

export interface TimelineGroup {
  readonly key: string
  readonly kind: GroupKind
  /** The request or session id; absent for single rows. */
  readonly id?: string
  readonly title: string
  readonly first: number
  readonly last: number
  /** Oldest first. */
  readonly events: ReadonlyArray<{ readonly id: string; readonly by: GroupedBy }>
  readonly posthog: number
  readonly sentry: number
  readonly errors: number
}

/** A page view (or any browser event) that names its request, keyed by tab. */
interface Anchor {
  readonly time: number
  readonly requestId: string
}

/**
 * @example
 * groupTimeline(events)[0] // the group with the most recent activity
 */
export function groupTimeline(events: readonly LocalEventSummary[]): TimelineGroup[] {
  const sorted = [...events].sort((a, b) => a.time - b.time || a.at - b.at)
  const bySentryId = new Map<string, string>()
  const bySentryTrace = new Map<string, string>()
  const byTab = new Map<string, Anchor[]>()
  const bySession = new Map<string, Anchor[]>()
  for (const e of sorted) {
    const rid = e.requestId ?? e.aiTraceId
    if (!rid) continue
    if (e.backend === 'sentry' && e.eventId) bySentryId.set(normalizeId(e.eventId), rid)
    // Keyed by side too: the browser's trace continues into its fetches, but a browser span
    // belongs to the page's request and a server span to the fetch's.
    const trace = e.backend === 'sentry' && e.sentryTraceId ? `${e.source}|${e.sentryTraceId}` : undefined
    if (trace && !bySentryTrace.has(trace)) bySentryTrace.set(trace, rid)
    if (e.source === 'browser' && e.sessionId) {
      push(bySession, e.sessionId, { time: e.time, requestId: rid })
      if (e.windowId) push(byTab, `${e.sessionId}|${e.windowId}`, { time: e.time, requestId: rid })
    }
  }

  const groups = new Map<string, { kind: GroupKind; id?: string; members: Array<{ e: LocalEventSummary; by: GroupedBy }> }>()
  const add = (key: string, kind: GroupKind, id: string | undefined, e: LocalEventSummary, by: GroupedBy) => {
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { kind, id, members: [] }))
    g.members.push({ e, by })
  }
  for (const e of sorted) {
    if (e.requestId) add(`request:${e.requestId}`, 'request', e.requestId, e, 'request id')
    else if (e.aiTraceId) add(`request:${e.aiTraceId}`, 'request', e.aiTraceId, e, '$ai_trace_id')
    else if (e.sentryLink && bySentryId.has(normalizeId(e.sentryLink))) {
      const rid = bySentryId.get(normalizeId(e.sentryLink)) as string
      add(`request:${rid}`, 'request', rid, e, 'Sentry link')
    } else if (e.backend === 'sentry' && e.sentryTraceId && bySentryTrace.has(`${e.source}|${e.sentryTraceId}`)) {
      const rid = bySentryTrace.get(`${e.source}|${e.sentryTraceId}`) as string
      add(`request:${rid}`, 'request', rid, e, 'Sentry trace')
    } else if (e.source === 'browser' && e.sessionId) {
      const anchor = pageOf(e, e.windowId ? byTab.get(`${e.sessionId}|${e.windowId}`) : undefined) ?? pageOf(e, bySession.get(e.sessionId))
      if (anchor) add(`request:${anchor.requestId}`, 'request', anchor.requestId, e, 'page view')
      else add(`session:${e.sessionId}`, 'session', e.sessionId, e, 'session')
    } else add(`single:${e.id}`, 'single', undefined, e, 'none')
  }

  return [...groups].map(([key, g]) => toGroup(key, g.kind, g.id, g.members)).sort((a, b) => b.last - a.last)
}

/** The latest anchor at or before the event (a second of clock skew allowed), else the tab's first. */
function pageOf(e: LocalEventSummary, anchors: Anchor[] | undefined): Anchor | undefined {
  if (!anchors?.length) return undefined
  let found: Anchor | undefined
  for (const a of anchors) if (a.time <= e.time + 1_000) found = a
  return found ?? anchors[0]
}

function toGroup(key: string, kind: GroupKind, id: string | undefined, members: Array<{ e: LocalEventSummary; by: GroupedBy }>): TimelineGroup {
  const list = members.map((m) => m.e)
  const find = (type: string) => list.find((e) => e.type === type)
  const headline =
    kind === 'session'
      ? `browser session ${id ?? ''}`
      : ((find('api_request') ?? find('$pageview') ?? find('transaction') ?? list.find((e) => e.error) ?? list[0])?.title ?? '')
  return {
    key,
    kind,
    ...(id ? { id } : {}),
    title: kind === 'request' && find('$pageview') && !find('api_request') ? `page ${headline}` : headline,
    first: list[0]?.time ?? 0,
    last: list.reduce((max, e) => Math.max(max, e.time, e.at), 0),
    events: members.map((m) => ({ id: m.e.id, by: m.by })),
    posthog: list.filter((e) => e.backend === 'posthog').length,
    sentry: list.filter((e) => e.backend === 'sentry').length,
    errors: list.filter((e) => e.error).length,
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/** Sentry writes event ids as 32 hex chars; PostHog may carry them with dashes. */
function normalizeId(id: string): string {
  return id.replace(/-/g, '').toLowerCase()
}
