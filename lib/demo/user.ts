import { parseCookie } from 'cookie'
import type { ObservedUser } from 'nextjs-observability-kit/server'

/** Cookie of the demo's fake sign-in (README, "The demo"). A real app passes its own session instead. */
export const DEMO_USER_COOKIE = 'demo_user'

/** Window event the fake sign-in dispatches, so the provider picks up the new user without a reload. */
export const DEMO_USER_CHANGED = 'demo-user-changed'

/**
 * Parses the value of `demo_user` (JSON `{id, email, name}`, as a cookie parser returns it: the
 * sign-in URL-encodes it, `cookies()` and `parseCookie` decode it); anything malformed is anonymous.
 */
export function parseDemoUser(value: string | undefined | null): ObservedUser | null {
  if (!value || value.length > 2_000) return null
  try {
    const parsed = JSON.parse(value) as Partial<Record<'id' | 'email' | 'name', unknown>>
    if (typeof parsed.id !== 'string' || !parsed.id) return null
    return {
      id: parsed.id.slice(0, 200),
      email: typeof parsed.email === 'string' ? parsed.email.slice(0, 320) : null,
      name: typeof parsed.name === 'string' ? parsed.name.slice(0, 200) : null,
    }
  } catch {
    return null
  }
}

/** Reads the demo user from a `Cookie` header. */
export function demoUserFromHeaders(headers: Headers): ObservedUser | null {
  return parseDemoUser(parseCookie(headers.get('cookie') ?? '')[DEMO_USER_COOKIE])
}

/** `withTracking({ getUser })` for the demo routes. */
export function demoGetUser(request: Request): ObservedUser | null {
  return demoUserFromHeaders(request.headers)
}
