import 'server-only'
import { cookies } from 'next/headers'
import { eventUuid } from './event-uuid.js'
import { getConfig } from '../shared/get-config.js'
import { postHogCookieName, readPostHogCookie } from './posthog-identity.js'
import { userProperties, type ObservedUser } from '../shared/user.js'
import { getAllFlags } from './flags.js'

export interface FlagBootstrap {
  readonly flags: Readonly<Record<string, boolean | string>>
  /** Set only when the visitor had no PostHog id yet and the server minted one for posthog-js to adopt. */
  readonly distinctId?: string
}

/**
 * Server-evaluated flags for `<FeatureFlagsBootstrap>`, so the first render (SSR included) already
 * has the right values. Evaluated for the id posthog-js will report as: the signed-in user's id
 * when `POSTHOG_IDENTIFY_PII` lets the browser identify, else the anonymous id in posthog-js's
 * cookie, else a fresh one the browser then adopts. Reads cookies, so the calling page is dynamic.
 * Empty (never throws, never waits past `timeoutMs`) when PostHog is off, slow or failing.
 *
 * @example
 * const bootstrap = await getFlagBootstrap({ user: await currentUser() })
 * return <FeatureFlagsBootstrap {...bootstrap}>…</FeatureFlagsBootstrap>
 */
export async function getFlagBootstrap(options: { user?: ObservedUser | null; timeoutMs?: number } = {}): Promise<FlagBootstrap> {
  const config = getConfig()
  if (!config.posthog.enabled) return { flags: {} }
  const jar = await cookies()
  const user = userProperties(options.user, config.identifyPii, config.internalDomains)
  const known = user?.user_id ?? readPostHogCookie(jar.get(postHogCookieName(config.posthog.apiKey))?.value).distinctId
  // A new visitor gets an id in the shape posthog-js mints itself (UUIDv7), which it adopts
  // through `bootstrap.distinctID`: the flags evaluated here are the flags of its real id.
  const distinctId = known ?? eventUuid()
  const flags = await getAllFlags(distinctId, { timeoutMs: options.timeoutMs })
  return known ? { flags } : { flags, distinctId }
}
