import 'server-only'
import { parseCookie } from 'cookie'
import { getConfig } from '../shared/get-config.js'
import { userProperties, type ObservedUser, type UserProperties } from '../shared/user.js'
import { postHogCookieName, readPostHogCookie, validPostHogId } from './posthog-identity.js'

export interface Identity {
  readonly distinctId: string
  readonly user: UserProperties | null
  readonly sessionId?: string
}

/** A longer `Cookie` header is not searched for posthog-js's cookie: the visitor stays unknown. */
const MAX_COOKIE_HEADER = 16_384

/**
 * Who a server event is about. The user's id when `POSTHOG_IDENTIFY_PII` allows it; otherwise the
 * browser's anonymous PostHog id (from posthog-js tracing headers or its cookie), so server events
 * join the same anonymous timeline without creating a person; otherwise the request id.
 */
export function resolveIdentity(headers: Headers, user: ObservedUser | null | undefined, requestId: string): Identity {
  const config = getConfig()
  const props = userProperties(user, config.identifyPii, config.internalDomains)
  const browser = browserIdentity(headers, config.posthog.enabled ? config.posthog.apiKey : undefined)
  return {
    distinctId: props?.user_id ?? browser.distinctId ?? requestId,
    user: props,
    ...(browser.sessionId ? { sessionId: browser.sessionId } : {}),
  }
}

function browserIdentity(headers: Headers, apiKey: string | undefined): { distinctId?: string; sessionId?: string } {
  let distinctId = validPostHogId(headers.get('x-posthog-distinct-id'))
  let sessionId = validPostHogId(headers.get('x-posthog-session-id'))
  const header = headers.get('cookie')
  if ((!distinctId || !sessionId) && apiKey && header && header.length <= MAX_COOKIE_HEADER) {
    const cookie = readPostHogCookie(parseCookie(header)[postHogCookieName(apiKey)])
    distinctId ??= cookie.distinctId
    sessionId ??= cookie.sessionId
  }
  return { distinctId, sessionId }
}
