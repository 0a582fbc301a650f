import 'server-only'
/**
 * The browser's PostHog identity as the server can see it, so server-rendered pages can evaluate
 * flags for the same visitor posthog-js will report as (flag bootstrap). Pure and
 * Web-API only.
 */

/** posthog-js persists its identity in this cookie (`ph_<project key>_posthog`). */
export function postHogCookieName(apiKey: string): string {
  return `ph_${apiKey}_posthog`
}

const ID = /^[A-Za-z0-9._:@+\-$]{1,200}$/

/**
 * The distinct id inside a `ph_<key>_posthog` cookie value (URL-encoded JSON), or undefined for
 * anything malformed: the cookie is user-controlled input.
 *
 * @example
 * distinctIdFromPostHogCookie(cookies().get(postHogCookieName(key))?.value)
 */
export function distinctIdFromPostHogCookie(value: string | undefined | null): string | undefined {
  if (!value || value.length > 8_192) return undefined
  try {
    const text = value.startsWith('{') ? value : decodeURIComponent(value)
    const parsed = JSON.parse(text) as { distinct_id?: unknown }
    return typeof parsed.distinct_id === 'string' && ID.test(parsed.distinct_id) ? parsed.distinct_id : undefined
  } catch {
    return undefined
  }
}

/**
 * A fresh anonymous id in the shape posthog-js mints itself (UUIDv7: time-ordered), for a visitor
 * the server sees before posthog-js has run. The browser adopts it through `bootstrap.distinctID`,
 * so the flags evaluated on the server are the flags of the visitor's real id.
 */
export function mintDistinctId(now: number = Date.now()): string {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  const ms = Math.max(0, Math.floor(now))
  // 48-bit big-endian millisecond timestamp; division keeps it exact beyond 32 bits.
  for (let i = 5, t = ms; i >= 0; i--, t = Math.floor(t / 256)) b[i] = t % 256
  b[6] = 0x70 | (b[6]! & 0x0f)
  b[8] = 0x80 | (b[8]! & 0x3f)
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
