import 'server-only'
/**
 * What a developer needs to check replay masking before going live: the text a recording
 * carries, as it left the browser. Masked text arrives as `***` (both SDKs replace each masked
 * character with `*`), so a name or a card number printed here means it was not masked.
 *
 * Pure and defensive: recordings are user-controlled JSON, so every field is checked, the walk
 * is bounded in depth and node count, and the text is capped.
 */

export interface ReplaySummary {
  /** rrweb events in this batch or segment. */
  readonly events: number
  /** Full snapshots (type 2): a whole page serialised, the part that shows what was masked. */
  readonly fullSnapshots: number
  /** Text nodes and input values of the recording, one per line, capped at `MAX_TEXT` chars. */
  readonly text: string
}

const FULL_SNAPSHOT = 2
const INCREMENTAL = 3
const MUTATION = 0
const INPUT = 5
const ELEMENT = 2
const TEXT = 3
const MAX_TEXT = 4_000
const MAX_NODES = 100_000
const MAX_DEPTH = 400
/** Text inside these is code or styling, not content a visitor sees. */
const NOT_CONTENT = new Set(['script', 'style', 'noscript', 'template'])
const FORM_FIELDS = new Set(['input', 'textarea', 'select'])

type Json = { [key: string]: unknown }
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Summarises decoded rrweb events (a PostHog `$snapshot`'s `$snapshot_data`, or a Sentry
 * `replay_recording`'s events).
 *
 * @example
 * summarizeReplay([{ type: 2, data: { node: { type: 3, textContent: '***' } } }]).text // '***'
 */
export function summarizeReplay(events: unknown): ReplaySummary {
  const list = Array.isArray(events) ? events : []
  const lines: string[] = []
  let length = 0
  let nodes = 0
  let fullSnapshots = 0
  const push = (value: unknown, prefix = '') => {
    if (typeof value !== 'string' || length >= MAX_TEXT) return
    const text = value.replace(/\s+/g, ' ').trim()
    if (!text) return
    const line = `${prefix}${text}`.slice(0, MAX_TEXT - length)
    lines.push(line)
    length += line.length + 1
  }
  const walk = (node: unknown, depth: number, parentTag: string) => {
    if (!isObject(node) || depth > MAX_DEPTH || ++nodes > MAX_NODES || length >= MAX_TEXT) return
    if (node.type === TEXT) {
      if (!NOT_CONTENT.has(parentTag)) push(node.textContent)
      return
    }
    const tag = node.type === ELEMENT && typeof node.tagName === 'string' ? node.tagName.toLowerCase() : parentTag
    if (node.type === ELEMENT && FORM_FIELDS.has(tag) && isObject(node.attributes)) push(node.attributes.value, `[${tag}] `)
    if (Array.isArray(node.childNodes)) for (const child of node.childNodes) walk(child, depth + 1, tag)
  }
  for (const event of list) {
    if (!isObject(event)) continue
    const data = isObject(event.data) ? event.data : undefined
    if (event.type === FULL_SNAPSHOT) {
      fullSnapshots++
      walk(data?.node, 0, '')
    } else if (event.type === INCREMENTAL && data?.source === MUTATION) {
      if (Array.isArray(data.adds)) for (const add of data.adds) if (isObject(add)) walk(add.node, 0, '')
      if (Array.isArray(data.texts)) for (const t of data.texts) if (isObject(t)) push(t.value)
    } else if (event.type === INCREMENTAL && data?.source === INPUT) {
      push(data.text, '[typed] ')
    }
  }
  return { events: list.length, fullSnapshots, text: lines.join('\n') }
}
