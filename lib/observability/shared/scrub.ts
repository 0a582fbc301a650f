/**
 * One redaction policy for every surface (CONTRACT §8): headers, query strings, cookies, extras
 * and contexts sent to either backend. Pure; safe on cyclic and very large input.
 */

export const FILTERED = '[Filtered]'

const SENSITIVE_EXACT = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-session-id',
])

const SENSITIVE_PARTS = /password|passwd|secret|token|api_key|api-key|apikey|auth|credentials|session|private_key|privatekey/i

/** True for a header, cookie, query or property name whose value must never leave the server. */
export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase()
  return SENSITIVE_EXACT.has(k) || SENSITIVE_PARTS.test(k)
}

const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/gi
// Relay's credit-card pattern (sentry.md §4.1): 13–19 digits with optional separators.
const CARD = /\b(?:3[47]\d|4\d{3}|5[1-5]\d\d|65\d\d|6011)(?:[-\s]?\d){12}\b/g
const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi
const QUERY_PAIR = /(^|[?&;,\s])([^=&#\s?]+)=([^&#\s]*)/g

/** Scrubs secrets that hide inside free text: bearer tokens, card numbers, private keys, URL passwords and sensitive query values. */
export function scrubString(value: string): string {
  if (value.length === 0) return value
  let out = value
  if (/bearer|basic|token/i.test(out)) out = out.replace(BEARER, (_m, scheme: string) => `${scheme} ${FILTERED}`)
  if (/\d{4}/.test(out)) out = out.replace(CARD, FILTERED)
  if (out.includes('-----BEGIN')) out = out.replace(PEM, FILTERED)
  if (out.includes('://')) out = out.replace(URL_USERINFO, `$1${FILTERED}@`)
  if (out.includes('=')) {
    out = out.replace(QUERY_PAIR, (m, sep: string, key: string) =>
      isSensitiveKey(safeDecode(key)) ? `${sep}${key}=${FILTERED}` : m,
    )
  }
  return out
}

/** Scrubs the query of a URL or path by key, keeping its shape (`/a?token=[Filtered]&page=2`). */
export function scrubUrl(url: string): string {
  return scrubString(url)
}

/** A header, cookie or query map with sensitive keys filtered and secret-looking values scrubbed. */
export function scrubRecord(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined || v === null) continue
    const text = Array.isArray(v) ? v.join(', ') : String(v)
    out[k] = isSensitiveKey(k) ? FILTERED : k.toLowerCase() === 'cookie' ? FILTERED : scrubString(text)
  }
  return out
}

/** A `Cookie` header with every value filtered but the names kept, for debugging which cookies arrived. */
export function scrubCookieHeader(header: string): string {
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => `${pair.split('=')[0]}=${FILTERED}`)
    .join('; ')
}

export interface ScrubOptions {
  /** Deeper structures become `[Object]` / `[Array]`. */
  maxDepth?: number
  /** Longer strings are cut (after scrubbing). */
  maxStringLength?: number
  /** Arrays and objects keep at most this many entries. */
  maxEntries?: number
}

/**
 * Deep copy with sensitive keys filtered and strings scrubbed. Cycles become `[Circular]`,
 * functions and symbols are dropped, errors become `{ name, message }`, bigint becomes a string,
 * so the result always survives `JSON.stringify`.
 */
export function scrubDeep(value: unknown, options: ScrubOptions = {}): unknown {
  const { maxDepth = 6, maxStringLength = 5_000, maxEntries = 100 } = options
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
        // `$`-prefixed keys are PostHog's own (`$session_id`), never user data.
        out[key] = !key.startsWith('$') && isSensitiveKey(key) && child != null ? FILTERED : walk(child, depth + 1)
      }
      return out
    } finally {
      seen.delete(v)
    }
  }
  return walk(value, 0)
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
