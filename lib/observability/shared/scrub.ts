import { isSensitiveKey, isSensitiveQueryKey } from './sensitive-keys.js'
import { replaceSecretShapes } from './secret-patterns.js'

/**
 * The kit's one privacy policy, applied at every exit on every runtime (server, Edge, browser):
 * PostHog events of both SDKs, Sentry events, spans, breadcrumbs, fingerprints and replays, local
 * mode's store. Known names lose their values (`sensitive-keys.ts`); free text loses what looks
 * like a secret (`secret-patterns.ts`, URLs, `key=value` pairs). What helps debugging stays: the
 * error type, the words around a secret, the route. `docs/privacy.md` is this file as a table.
 * Pure and bounded: safe on cyclic, hostile and very large input.
 */

export { isSensitiveKey, isSensitiveQueryKey }

/** What a removed value reads as, in both backends, as in Sentry's own scrubbing. */
export const FILTERED = '[Filtered]'

/** `https://user:secret@host` → `https://user:[Filtered]@host`; the user name stays. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]+@/gi
/** A pair in a URL's query or fragment, or in a form body: `?token=…`, `&code=…`, `#access_token=…`. */
const QUERY_PAIR = /([?&#;])([^=&#\s?"'<>]{1,128})=([^&#\s"'<>]*)/g
/**
 * The start of a `key=value`, `key: value` or `"key": "value"` pair in free text (log lines,
 * messages, JSON quoted in an error). The value is read on from there (`pairValueEnd`).
 */
const TEXT_KEY = /(["']?)([A-Za-z_$][\w.$[\]-]{0,63})\1(\s*[:=]\s*)/g

/**
 * Scrubs free text: messages, stack values, log lines, URLs in any field. Secrets recognised by
 * shape (bearer credentials, JWTs, private keys, card numbers, IBANs, SSNs), URL passwords, and
 * values of sensitive names in query strings and `key=value` / `key: value` pairs.
 *
 * @example
 * scrubString('login failed for password=hunter2 at /cb?code=abc&page=2')
 * // 'login failed for password=[Filtered] at /cb?code=[Filtered]&page=2'
 */
export function scrubString(value: string): string {
  if (value.length < 6) return value
  let out = replaceSecretShapes(value, FILTERED)
  if (out.includes('://')) out = out.replace(URL_PASSWORD, `$1${FILTERED}@`)
  if (out.includes('=')) out = out.replace(QUERY_PAIR, scrubQueryPair)
  if (out.includes('=') || out.includes(':')) out = scrubTextPairs(out)
  return out
}

/** A URL or path with the values of sensitive query and fragment keys and any password filtered. */
export function scrubUrl(url: string): string {
  return scrubString(url)
}

/** A header, cookie or query map with sensitive keys filtered and secret-looking values scrubbed. */
export function scrubRecord(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined || v === null) continue
    const text = Array.isArray(v) ? v.join(', ') : String(v)
    out[k] = isSensitiveKey(k) ? FILTERED : scrubString(text)
  }
  return out
}

export interface ScrubOptions {
  /** Deeper structures become `[Object]` / `[Array]`. */
  maxDepth?: number
  /** Longer strings are cut (after scrubbing); `Infinity` keeps every string whole. */
  maxStringLength?: number
  /** Arrays and objects keep at most this many entries. */
  maxEntries?: number
  /** Names kept as they are at the top level, e.g. posthog-js's `token` (the public project key). */
  keepKeys?: ReadonlySet<string>
}

/**
 * Deep copy with sensitive keys filtered and strings scrubbed. Cycles become `[Circular]`,
 * functions and symbols are dropped, errors become `{ name, message }`, bigint becomes a string,
 * so the result always survives `JSON.stringify`. Names starting with `$` are PostHog's own
 * (`$session_id`) and keep their values, which are still scrubbed as text. A name that is a URL
 * (PostHog's heatmap data is keyed by page URL) is scrubbed as one.
 */
export function scrubDeep(value: unknown, options: ScrubOptions = {}): unknown {
  const { maxDepth = 6, maxStringLength = 5_000, maxEntries = 100, keepKeys } = options
  const seen = new WeakSet<object>()

  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      const s = scrubString(v.length > maxStringLength * 2 ? v.slice(0, maxStringLength * 2) : v)
      return s.length > maxStringLength ? `${s.slice(0, maxStringLength)}…[truncated ${s.length - maxStringLength} chars]` : s
    }
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return v
    if (typeof v === 'bigint') return v.toString()
    if (typeof v === 'undefined' || typeof v === 'function' || typeof v === 'symbol') return undefined
    if (typeof v !== 'object') return undefined
    if (seen.has(v)) return '[Circular]'
    if (depth >= maxDepth) return Array.isArray(v) ? '[Array]' : '[Object]'
    seen.add(v)
    try {
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString()
      if (v instanceof Error) return { name: v.name, message: walk(v.message, depth + 1) }
      if (Array.isArray(v)) return v.slice(0, maxEntries).map((x) => walk(x, depth + 1))
      const out: Record<string, unknown> = {}
      let n = 0
      for (const key of Object.keys(v)) {
        if (n++ >= maxEntries) break
        let child: unknown
        try {
          child = (v as Record<string, unknown>)[key]
        } catch {
          child = '[Unreadable]'
        }
        // A name that is a URL is data, not a field name: scrubbed as a URL, its value kept.
        const isUrl = key.includes('?') || key.includes('://')
        const kept = isUrl || key.startsWith('$') || (depth === 0 && keepKeys?.has(key))
        out[isUrl ? scrubUrl(key) : key] = !kept && child != null && isSensitiveKey(key) ? FILTERED : walk(child, depth + 1)
      }
      return out
    } finally {
      seen.delete(v)
    }
  }
  return walk(value, 0)
}

/**
 * A query or fragment pair: a sensitive key loses its value; any other value is decoded (`+` and
 * `%xx`, as forms encode text) and scrubbed as text, so `?q=card+4111+1111…` is caught too.
 */
function scrubQueryPair(match: string, sep: string, key: string, value: string): string {
  if (isSensitiveQueryKey(safeDecode(key))) return `${sep}${key}=${FILTERED}`
  if (value.length < 6 || !/[%+]/.test(value)) return match
  const decoded = safeDecode(value.replace(/\+/g, ' '))
  const scrubbed = scrubString(decoded)
  return scrubbed === decoded ? match : `${sep}${key}=${encodeURIComponent(scrubbed).replace(/%5BFiltered%5D/g, FILTERED)}`
}

/** Replaces the value of every pair whose key is sensitive; other keys are skipped, not their values. */
function scrubTextPairs(text: string): string {
  let out = ''
  let copied = 0
  TEXT_KEY.lastIndex = 0
  for (let m = TEXT_KEY.exec(text); m; m = TEXT_KEY.exec(text)) {
    const valueStart = m.index + m[0].length
    if (!isSensitiveKey(m[2]!) || text.startsWith(FILTERED, valueStart) || SCHEME_DONE.test(text.slice(valueStart, valueStart + 20))) continue
    const end = pairValueEnd(text, valueStart)
    if (end === valueStart) continue
    const quote = text[valueStart] === '"' || text[valueStart] === "'" ? text[valueStart]! : ''
    out += text.slice(copied, valueStart) + quote + FILTERED + quote
    copied = end
    TEXT_KEY.lastIndex = end
  }
  return copied === 0 ? text : out + text.slice(copied)
}

/** `Authorization: Bearer [Filtered]`: the scheme rule already took the secret and keeps the scheme. */
const SCHEME_DONE = /^(?:Bearer|Basic|Digest|Token) \[Filtered\]/i

/** Where a value starting at `start` ends: its closing quote, or whitespace and punctuation. */
function pairValueEnd(text: string, start: number): number {
  const quote = text[start]
  if (quote === '"' || quote === "'") {
    for (let i = start + 1; i < text.length && i < start + 4096; i++) {
      if (text[i] === '\\') i++
      else if (text[i] === quote) return i + 1
      else if (text[i] === '\n') break
    }
    return start
  }
  let i = start
  while (i < text.length && !VALUE_END.has(text[i]!)) i++
  return i
}

const VALUE_END = new Set([' ', '\t', '\n', '\r', '"', "'", '&', ',', ';', '<', '>', '(', ')', '{', '}', '[', ']'])

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
