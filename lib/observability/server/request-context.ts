import 'server-only'
import { AsyncLocalStorage } from 'node:async_hooks'

/** Per-request state, never a module-level variable: two concurrent requests never see each other's. */
export interface RequestContext {
  readonly requestId: string
  readonly endpoint: string
  readonly method: string
  /** PostHog distinct id for server events: the user's id when PII allows, else the browser's anonymous id. */
  distinctId?: string
  /** True once known to be an anonymous visitor: events then create no person profile. */
  anonymous?: boolean
  /** posthog-js session id from the `X-POSTHOG-SESSION-ID` tracing header, links server events to the replay. */
  readonly sessionId?: string
}

const storage = new AsyncLocalStorage<RequestContext>()

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn)
}

/** The current request's context inside `withTracking()` / `withServerActionTracking()`, else undefined. */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore()
}
