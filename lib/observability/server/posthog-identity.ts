import 'server-only'
/**
 * posthog-js's identity as the server can see it in its cookie, so server events join the
 * browser's anonymous timeline and server-rendered pages evaluate flags for the visitor posthog-js
 * will report as. Pure and Web-API only; the one place that reads that cookie.
 */

/** posthog-js persists its identity in this cookie (`ph_<project key>_posthog`). */
export function postHogCookieName(apiKey: string): string {
  return `ph_${apiKey}_posthog`
}

const ID = /^[A-Za-z0-9._:@+\-$]{1,200}$/

/** A distinct or session id from the browser (header or cookie), or undefined: it is user-controlled input. */
export function validPostHogId(value: unknown): string | undefined {
  return typeof value === 'string' && ID.test(value) ? value : undefined
}

/**
 * The distinct id and session id inside posthog-js's cookie, given its value as a cookie parser
 * returns it (percent-decoded JSON); each undefined when absent or malformed.
 *
 * @example
 * readPostHogCookie(cookies().get(postHogCookieName(key))?.value).distinctId
 */
export function readPostHogCookie(value: string | undefined | null): { distinctId?: string; sessionId?: string } {
  if (!value || value.length > 8_192) return {}
  try {
    const parsed = JSON.parse(value) as { distinct_id?: unknown; $sesid?: unknown } | null
    if (!parsed || typeof parsed !== 'object') return {}
    const distinctId = validPostHogId(parsed.distinct_id)
    const sessionId = Array.isArray(parsed.$sesid) ? validPostHogId(parsed.$sesid[1]) : undefined
    return { ...(distinctId ? { distinctId } : {}), ...(sessionId ? { sessionId } : {}) }
  } catch {
    // A malformed cookie is just an unknown visitor.
    return {}
  }
}
