import 'server-only'
import { truncate } from './truncate.js'

/**
 * Size policy for LLM prompts and completions in `$ai_generation` (docs/events.md). Pure.
 *
 * Two limits: `POSTHOG_LLM_PAYLOAD_MAX_CHARS` cuts each payload for the reader's sake, and a
 * byte-aware guard keeps the whole event under PostHog's per-event limit (1,000,000 bytes of the
 * decompressed event; an oversize event is dropped by ingestion, not cut). Characters are not
 * bytes: a CJK character is 3 bytes of UTF-8, an emoji 4, a control character 6 once JSON-escaped.
 */

/** PostHog ingestion's per-event limit (Kafka `message.max.bytes`); larger events are dropped. */
export const POSTHOG_MAX_EVENT_BYTES = 1_000_000

/**
 * What our properties may take: posthog-node adds its own (`$lib`, `uuid`, `timestamp`…) and the
 * batch wraps the event, so leave room below the hard limit.
 */
export const AI_EVENT_BYTE_BUDGET = 900_000

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(;[\w=.-]+)*;base64,/i

/** Labels, not text: kept whole (bounded) and not charged to the text budget. */
const STRUCTURAL_KEYS = new Set(['role', 'type', 'name', 'id', 'tool_call_id', 'media_type', 'mime_type', 'detail', 'format'])

/**
 * Copies a prompt or completion (a string, or messages and content parts) with at most
 * `maxChars` characters of text in total: text past the budget is cut and ends with
 * `…[truncated N chars]`, inline base64 media becomes a short placeholder, cycles and functions
 * are dropped. The structure (roles, part types) is kept so PostHog still renders it.
 *
 * @example
 * limitPayload([{ role: 'user', content: 'x'.repeat(50) }], 10)
 * // → [{ role: 'user', content: 'xxxxxxxxxx…[truncated 40 chars]' }]
 */
export function limitPayload(value: unknown, maxChars: number): unknown {
  let budget = Math.max(0, Math.floor(maxChars))
  const seen = new WeakSet<object>()
  const visit = (v: unknown, depth: number, key?: string): unknown => {
    if (typeof v === 'string' && key !== undefined && STRUCTURAL_KEYS.has(key)) return truncate(v, 200)
    if (typeof v === 'string') {
      if (DATA_URL.test(v.slice(0, 200))) return `[base64 ${DATA_URL.exec(v.slice(0, 200))?.[1] ?? 'data'} redacted]`
      const kept = truncate(v, budget)
      budget = Math.max(0, budget - v.length)
      return kept
    }
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return v
    if (typeof v === 'bigint') return v.toString()
    if (typeof v !== 'object' || depth > 12) return undefined
    if (seen.has(v)) return '[Circular]'
    seen.add(v)
    if (Array.isArray(v)) return v.map((item) => visit(item, depth + 1) ?? null)
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(v)) {
      const kept = visit(item, depth + 1, key)
      if (kept !== undefined) out[key] = kept
    }
    return out
  }
  try {
    return visit(value, 0)
  } catch {
    return '[unserializable payload]'
  }
}

/** UTF-8 length of a string without allocating (a lone surrogate encodes as U+FFFD, 3 bytes). */
export function utf8Bytes(s: string): number {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

/** Bytes of a value serialized as the SDK will send it (JSON, UTF-8). */
export function jsonBytes(value: unknown): number {
  try {
    return utf8Bytes(JSON.stringify(value) ?? '')
  } catch {
    return Number.POSITIVE_INFINITY
  }
}

export interface Payloads {
  readonly $ai_input?: unknown
  readonly $ai_output_choices?: unknown
}

/**
 * Adds the payloads to `base`, each cut at `maxChars`, then shrinks them until the serialized
 * properties fit `budget` bytes. If even the smallest cut cannot fit (a huge base), the payloads
 * are replaced by a note rather than risk the whole event being dropped.
 *
 * @example
 * const props = fitPayloads({ $ai_model: 'gpt-4o-mini' }, { $ai_input: messages, $ai_output_choices: choices }, 30_000)
 */
export function fitPayloads<B extends object>(base: B, payloads: Payloads, maxChars: number, budget = AI_EVENT_BYTE_BUDGET): B & Payloads {
  const keys = (Object.keys(payloads) as (keyof Payloads)[]).filter((k) => payloads[k] !== undefined)
  const baseBytes = jsonBytes(base)
  let max = Math.max(0, Math.floor(maxChars))
  for (let attempt = 0; attempt < 8 && baseBytes < budget; attempt++) {
    const limited: Payloads = Object.fromEntries(keys.map((k) => [k, limitPayload(payloads[k], max)]))
    const candidate = { ...base, ...limited }
    const bytes = jsonBytes(candidate)
    if (bytes <= budget) return candidate
    // Shrink the text budget by the byte overshoot, with a margin: bytes per character vary
    // (multibyte text, JSON escapes, truncation markers), so one step may not be enough.
    const next = Math.floor(((max * (budget - baseBytes)) / Math.max(1, bytes - baseBytes)) * 0.9)
    if (next >= max) break
    max = next
  }
  const note = `[omitted: over the ${budget} byte event budget]`
  return { ...base, ...Object.fromEntries(keys.map((k) => [k, note])) }
}
