/**
 * What `POSTHOG_IDENTIFY_PII` may say, from least to most. Here rather than in `config.ts` so the
 * browser can check a mode without importing the config schema.
 */
export const IDENTIFY_PII_MODES = ['none', 'id', 'email', 'full'] as const
export type IdentifyPii = (typeof IDENTIFY_PII_MODES)[number]

/**
 * The app's user as the kit sees it (docs/events.md "Users"). Identity always comes from the app
 * (`withTracking({ getUser })`, `<ObservabilityProvider user>`), never from a global.
 */
export interface ObservedUser {
  readonly id: string
  readonly email?: string | null
  readonly name?: string | null
}

/** What `POSTHOG_IDENTIFY_PII` lets through, as inline event properties. */
export interface UserProperties {
  user_id: string
  user_email?: string
  user_name?: string
  is_internal?: boolean
}

export const ANONYMOUS = 'anonymous'

/**
 * Applies the PII mode. `none` returns null: events stay anonymous and no person is created.
 * `is_internal` is derived from the email domain even in `id` mode (the flag is not PII).
 */
export function userProperties(user: ObservedUser | null | undefined, mode: IdentifyPii, internalDomains: readonly string[]): UserProperties | null {
  if (!user || mode === 'none' || !user.id) return null
  const props: UserProperties = { user_id: String(user.id) }
  if ((mode === 'email' || mode === 'full') && user.email) props.user_email = String(user.email)
  if (mode === 'full' && user.name) props.user_name = String(user.name)
  if (internalDomains.length && user.email && isInternalEmail(user.email, internalDomains)) props.is_internal = true
  return props
}

export function isInternalEmail(email: string, internalDomains: readonly string[]): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase()
  return internalDomains.some((d) => domain === d || domain.endsWith(`.${d}`))
}

/** Sentry's `user` for the same mode. */
export function sentryUser(props: UserProperties | null): { id: string; email?: string; username?: string } | null {
  if (!props) return null
  return {
    id: props.user_id,
    ...(props.user_email ? { email: props.user_email } : {}),
    ...(props.user_name ? { username: props.user_name } : {}),
  }
}
