import 'server-only'
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Scope } from '@sentry/core'
import { loadedSentry } from './sentry.js'

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

/** Where the context sits in a Sentry isolation scope's processing metadata (never sent). */
const SCOPE_KEY = 'observability.requestContext'

/** Only used while Sentry is off; see `runWithRequestContext`. */
const storage = new AsyncLocalStorage<RequestContext>()

/**
 * Runs `fn` as part of the request `context`. With Sentry on, the context rides on the request's
 * Sentry isolation scope instead of an AsyncLocalStorage of the kit's own: once used, every
 * AsyncLocalStorage adds work to every promise the process creates afterwards, pages included,
 * and Sentry's already follows each tracked request. Forks of the scope (`withIsolationScope` in
 * app code or in Sentry's wrappers) keep the context: clones copy the processing metadata.
 */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  const Sentry = activeSentry()
  if (!Sentry) return storage.run(context, fn)
  return Sentry.withIsolationScope((scope) => {
    attachRequestContext(scope, context)
    return fn()
  })
}

/**
 * For a process that is one unit of work, a script run by `runObserved()`: the context holds for
 * everything the process does, not only inside `fn`. With Sentry on it sits on the process's own
 * isolation scope rather than a fork, so the script's breadcrumbs (its console lines) and every
 * event, even one from a timer's uncaught error outside `fn`, belong to the run.
 */
export function runAsProcessContext<T>(context: RequestContext, fn: () => T): T {
  const Sentry = activeSentry()
  if (!Sentry) return storage.run(context, fn)
  attachRequestContext(Sentry.getIsolationScope(), context)
  return fn()
}

/**
 * For callers that already forked the request's isolation scope (traceRequest). The `request` is
 * held as it is and only described for Sentry if an event is raised (`heldRequest`): most
 * requests raise none, and describing one (every header copied, then deep-merged into the scope)
 * is work for nothing then.
 */
export function attachRequestContext(scope: Scope, context: RequestContext, request?: Request): void {
  // Wrapped so that Sentry's metadata merge keeps the objects themselves (the context is filled in later).
  scope.setSDKProcessingMetadata({ [SCOPE_KEY]: { context, request } })
}

/** The request an event's isolation scope was attached to, from the event's processing metadata. */
export function heldRequest(sdkProcessingMetadata: Record<string, unknown> | undefined): Request | undefined {
  const held = sdkProcessingMetadata?.[SCOPE_KEY] as { request?: Request } | undefined
  return held?.request
}

/** The current request's context inside `withTracking()` / `withServerActionTracking()`, else undefined. */
export function currentRequestContext(): RequestContext | undefined {
  const Sentry = activeSentry()
  if (Sentry) {
    const held = Sentry.getIsolationScope().getScopeData().sdkProcessingMetadata[SCOPE_KEY] as { context?: RequestContext } | undefined
    if (held?.context) return held.context
  }
  return storage.getStore()
}

/** Sentry once initialised: before `init` its scopes do not follow async work, so they cannot hold the context. */
function activeSentry() {
  const Sentry = loadedSentry()
  return Sentry?.isInitialized() ? Sentry : null
}
