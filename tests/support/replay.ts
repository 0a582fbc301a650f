import type { ReplayRecording, RrwebEvent } from '@/lib/observability/server/local/ingest/types'
import type { FakeIngest } from './fake-ingest'

/**
 * Replay payloads as the fake decoded them (request gzip, PostHog's per-event `cv` gzip fields,
 * Sentry's zlib worker compression all undone), and small rrweb helpers to read them.
 */

const FULL_SNAPSHOT = 2
const INCREMENTAL = 3
const MUTATION = 0
const INPUT = 5

/** rrweb events of every PostHog `$snapshot` the fake received. */
export function posthogReplay(fake: FakeIngest): RrwebEvent[] {
  return fake
    .events()
    .filter((e) => e.event === '$snapshot')
    .flatMap((e) => (Array.isArray(e.properties.$snapshot_data) ? (e.properties.$snapshot_data as RrwebEvent[]) : []))
}

/** rrweb events of every Sentry `replay_recording` item the fake received. */
export function sentryReplay(fake: FakeIngest): RrwebEvent[] {
  return fake.sentryItems('replay_recording').flatMap((i) => (i.payload as ReplayRecording).events)
}

interface SerializedNode {
  id?: number
  type?: number
  tagName?: string
  attributes?: Record<string, unknown>
  textContent?: string
  childNodes?: SerializedNode[]
}

/** Every serialized DOM tree in the recording: full snapshots and nodes added by mutations. */
function trees(events: RrwebEvent[]): SerializedNode[] {
  const out: SerializedNode[] = []
  for (const e of events) {
    const data = e.data as { node?: SerializedNode; source?: number; adds?: Array<{ node?: SerializedNode }> } | undefined
    if (e.type === FULL_SNAPSHOT && data?.node) out.push(data.node)
    if (e.type === INCREMENTAL && data?.source === MUTATION && Array.isArray(data.adds)) {
      for (const add of data.adds) if (add.node) out.push(add.node)
    }
  }
  return out
}

function* walk(node: SerializedNode): Generator<SerializedNode> {
  yield node
  for (const child of node.childNodes ?? []) yield* walk(child)
}

function textOf(node: SerializedNode): string {
  let text = ''
  for (const n of walk(node)) if (n.type === 3 && typeof n.textContent === 'string') text += n.textContent
  return text
}

/** The recorded text of every element matching `match`, across all snapshots and mutations. */
export function recordedTexts(events: RrwebEvent[], match: (node: SerializedNode) => boolean): string[] {
  const texts: string[] = []
  for (const tree of trees(events)) for (const node of walk(tree)) if (node.type === 2 && match(node)) texts.push(textOf(node))
  return texts
}

/** rrweb node ids recorded for the element with this `id` attribute (one per snapshot that saw it). */
export function nodeIdsOf(events: RrwebEvent[], elementId: string): Set<number> {
  const ids = new Set<number>()
  for (const tree of trees(events)) {
    for (const node of walk(tree)) if (node.attributes?.id === elementId && typeof node.id === 'number') ids.add(node.id)
  }
  return ids
}

/**
 * Every value recorded for an input: its `value` attribute in snapshots and mutations, then the
 * text of each Input event, in order.
 */
export function recordedInputValues(events: RrwebEvent[], elementId: string): string[] {
  const ids = nodeIdsOf(events, elementId)
  const values: string[] = []
  for (const tree of trees(events)) {
    for (const node of walk(tree)) if (node.attributes?.id === elementId && typeof node.attributes.value === 'string') values.push(node.attributes.value)
  }
  for (const e of events) {
    const data = e.data as
      { source?: number; id?: number; text?: unknown; attributes?: Array<{ id?: number; attributes?: Record<string, unknown> }> } | undefined
    if (e.type !== INCREMENTAL || !data) continue
    if (data.source === INPUT && typeof data.id === 'number' && ids.has(data.id) && typeof data.text === 'string') values.push(data.text)
    if (data.source === MUTATION && Array.isArray(data.attributes)) {
      for (const a of data.attributes) if (typeof a.id === 'number' && ids.has(a.id) && typeof a.attributes?.value === 'string') values.push(a.attributes.value)
    }
  }
  return values
}

export function hasFullSnapshot(events: RrwebEvent[]): boolean {
  return events.some((e) => e.type === FULL_SNAPSHOT && !!(e.data as { node?: unknown } | undefined)?.node)
}

/** rrweb's mask: every non-space character becomes `*`. */
export function masked(text: string): string {
  return text.replace(/\S/g, '*')
}
