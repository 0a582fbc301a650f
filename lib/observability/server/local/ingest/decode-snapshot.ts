import { type DecodeBudget, type DecodeOptions, budgetOf, gunzip, isObject, parseJson } from './bytes.js'
import { DecodeError } from './decode-error.js'
import type { JsonObject, RrwebEvent } from './types.js'

const PER_EVENT_COMPRESSION = '2024-10'
const FULL_SNAPSHOT = 2
const INCREMENTAL = 3
const MUTATION = 0
const STYLE_SHEET_RULE = 8
const NON_LATIN1 = /[^\u0000-\u00ff]/

function inflateField(value: unknown, where: string, budget: DecodeBudget): unknown {
  if (typeof value !== 'string') return value
  if (NON_LATIN1.test(value)) {
    throw new DecodeError(`${where} is marked cv ${PER_EVENT_COMPRESSION} but is not a latin-1 byte string`)
  }
  return parseJson(gunzip(Buffer.from(value, 'latin1'), where, budget), where)
}

function fieldsOf(event: JsonObject, data: JsonObject): string[] {
  if (event.type === INCREMENTAL && data.source === MUTATION) return ['texts', 'attributes', 'removes', 'adds']
  if (event.type === INCREMENTAL && data.source === STYLE_SHEET_RULE) return ['adds', 'removes']
  return []
}

/**
 * Undo posthog-js's per-event replay compression (`session_recording.compress_events`,
 * `cv: "2024-10"`): heavy fields are gzip bytes stored one byte per char. Masking must be
 * asserted on the inflated DOM, so this runs before anyone greps a `$snapshot` for secrets.
 *
 * @example
 * decodeRrwebEvent({ type: 2, cv: '2024-10', data: '\x1f\x8b…', timestamp: 1 }) // { type: 2, data: { node: … }, timestamp: 1 }
 */
export function decodeRrwebEvent(value: unknown, where = 'rrweb event', options: DecodeOptions = {}): RrwebEvent {
  if (!isObject(value) || typeof value.type !== 'number') {
    throw new DecodeError(`${where} is not an rrweb event (an object with a numeric type)`)
  }
  if (value.cv === undefined) return value as RrwebEvent
  if (value.cv !== PER_EVENT_COMPRESSION) {
    throw new DecodeError(`${where} uses unknown compression version cv=${JSON.stringify(value.cv)}`)
  }
  const { cv: _cv, ...event } = value
  const budget = budgetOf(options)
  if (event.type === FULL_SNAPSHOT) {
    return { ...event, data: inflateField(event.data, `${where}.data`, budget) } as RrwebEvent
  }
  if (!isObject(event.data)) return event as RrwebEvent
  const data: JsonObject = { ...event.data }
  for (const field of fieldsOf(event, data)) {
    if (field in data) data[field] = inflateField(data[field], `${where}.data.${field}`, budget)
  }
  return { ...event, data } as RrwebEvent
}

/**
 * Decode a `$snapshot` event's `$snapshot_data` (an array of rrweb events, or one event in
 * older releases) into plain rrweb events. All their compressed fields draw on one budget.
 */
export function decodeSnapshotData(value: unknown, options: DecodeOptions = {}): RrwebEvent[] {
  const list = Array.isArray(value) ? value : [value]
  const budget = budgetOf(options)
  return list.map((item, i) => decodeRrwebEvent(item, `$snapshot_data[${i}]`, { budget }))
}
