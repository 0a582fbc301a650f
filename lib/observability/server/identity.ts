import 'server-only'
import { getConfig } from '../shared/get-config.js'
import { userProperties, type ObservedUser, type UserProperties } from '../shared/user.js'

export interface Identity {
  readonly distinctId: string
  readonly user: UserProperties | null
  readonly sessionId?: string
}

const ID = /^[A-Za-z0-9._:@+\-$]{1,200}$/

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
  let distinctId = valid(headers.get('x-posthog-distinct-id'))
  let sessionId = valid(headers.get('x-posthog-session-id'))
  if ((!distinctId || !sessionId) && apiKey) {
    const cookie = readCookie(headers.get('cookie'), `ph_${apiKey}_posthog`)
    if (cookie) {
      try {
        const parsed = JSON.parse(cookie) as { distinct_id?: unknown; $sesid?: unknown }
        distinctId ??= valid(parsed.distinct_id)
        if (Array.isArray(parsed.$sesid)) sessionId ??= valid(parsed.$sesid[1])
      } catch {
        // A malformed cookie is just an unknown visitor.
      }
    }
  }
  return { distinctId, sessionId }
}

function valid(v: unknown): string | undefined {
  return typeof v === 'string' && ID.test(v) ? v : undefined
}

function readCookie(header: string | null, name: string): string | undefined {
  if (!header || header.length > 16_384) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim())
      } catch {
        return undefined
      }
    }
  }
  return undefined
}
