import type { ObservedUser } from 'nextjs-observability-kit/server'

/** Cookie of the demo's fake sign-in (README, "The demo"). A real app passes its own session instead. */
export const DEMO_USER_COOKIE = 'demo_user'

/** Window event the fake sign-in dispatches, so the provider picks up the new user without a reload. */
export const DEMO_USER_CHANGED = 'demo-user-changed'

/** Parses `demo_user` (URL-encoded JSON `{id, email, name}`); anything malformed is anonymous. */
export function parseDemoUser(value: string | undefined | null): ObservedUser | null {
  if (!value || value.length > 2_000) return null
  try {
    const parsed = JSON.parse(decodeURIComponent(value)) as Partial<Record<'id' | 'email' | 'name', unknown>>
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
  const cookie = headers.get('cookie') ?? ''
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === DEMO_USER_COOKIE) return parseDemoUser(part.slice(eq + 1).trim())
  }
  return null
}

/** `withTracking({ getUser })` for the demo routes. */
export function demoGetUser(request: Request): ObservedUser | null {
  return demoUserFromHeaders(request.headers)
}
