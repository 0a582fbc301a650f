import type { PostHog } from 'posthog-js'
import type { BrowserConfig } from '../shared/browser-config.js'
import type { ObservedUser } from '../shared/user.js'

/**
 * The browser half of the kit keeps its state in one object per page, not per module instance:
 * `instrumentation-client.ts`, the provider and the lazily loaded SDK glue all reach the same
 * state even if a bundler ever duplicated a module across chunks. Nothing here imports an SDK;
 * this file is part of the small eager graph that ships before `load`.
 */

export type FlagValue = boolean | string
export type Flags = Readonly<Record<string, FlagValue>>

/** Where a browser error came from; decides the `mechanism` each backend records. */
export type ErrorSource = 'onerror' | 'onunhandledrejection' | 'boundary' | 'manual'

export interface PendingError {
  /** What was thrown: the Error, the rejection reason, or the ErrorEvent when there is no error object. */
  readonly thrown: unknown
  readonly source: ErrorSource
  /** Epoch ms when it happened, so errors replayed after the SDKs load keep their real time. */
  readonly at: number
}

export interface Pageview {
  readonly href: string
  readonly pathname: string
  readonly at: number
}

/** What the lazily loaded PostHog glue offers the eager kit. */
export interface PostHogBackend {
  /** The posthog-js instance, for `withPostHog()` callers. */
  readonly instance: PostHog
  capturePageview(view: Pageview): void
  captureError(error: PendingError, sentryEventId: string | undefined): void
  distinctId(): string | undefined
  sessionId(): string | undefined
  reportFlagExposure(key: string): void
}

/** What the lazily loaded Sentry glue offers the eager kit. */
export interface SentryBackend {
  /** Returns the Sentry event id, so PostHog's `$exception` can link to it. */
  captureError(error: PendingError): string | undefined
}

type Listener = () => void

export interface Kit {
  /** `undefined` until read; `null` when the server sent no config (both backends off). */
  config: BrowserConfig | null | undefined
  /** `undefined` = the app has not said; `null` = signed out. */
  user: ObservedUser | null | undefined
  readonly userListeners: Set<Listener>
  /** `scheduled` once the SDK load is queued; `ready` once every enabled SDK loaded or failed. */
  phase: 'idle' | 'scheduled' | 'ready'
  posthog: PostHogBackend | null
  sentry: SentryBackend | null
  readonly posthogWaiters: Array<(backend: PostHogBackend) => void>
  readonly sentryWaiters: Array<(backend: SentryBackend) => void>
  /** Errors seen before the SDKs are ready; replayed into both once they are. */
  readonly errors: PendingError[]
  /** Error objects already reported, so two paths (window + boundary) never report one twice. */
  readonly reported: WeakSet<object>
  /** Pageviews seen before posthog-js is ready. */
  readonly pageviews: Pageview[]
  lastPathname: string | undefined
  listenerRefs: number
  removeListeners: (() => void) | null
  readonly flags: {
    /** Server-evaluated values handed to the page (bootstrap), until posthog-js has its own. */
    bootstrap: Flags | null
    /** posthog-js's values once it has loaded flags. */
    live: Flags | null
    /** An anonymous id the server minted for this visitor, for posthog-js to adopt. */
    distinctId: string | undefined
    readonly listeners: Set<Listener>
  }
}

const KEY = Symbol.for('observability.kit.browser')

/** @internal The page's kit state, created on first use. */
export function getKit(): Kit {
  const g = globalThis as typeof globalThis & { [KEY]?: Kit }
  return (g[KEY] ??= createKit())
}

function createKit(): Kit {
  return {
    config: undefined,
    user: undefined,
    userListeners: new Set(),
    phase: 'idle',
    posthog: null,
    sentry: null,
    posthogWaiters: [],
    sentryWaiters: [],
    errors: [],
    reported: new WeakSet(),
    pageviews: [],
    lastPathname: undefined,
    listenerRefs: 0,
    removeListeners: null,
    flags: { bootstrap: null, live: null, distinctId: undefined, listeners: new Set() },
  }
}

/** @internal Calls every listener, isolating failures: one broken subscriber must not starve the rest. */
export function notify(listeners: Iterable<Listener>): void {
  for (const listener of listeners) {
    try {
      listener()
    } catch {
      // Telemetry fails open.
    }
  }
}

/** @internal Tests start each case from a clean page. */
export function resetKitForTests(): void {
  const g = globalThis as typeof globalThis & { [KEY]?: Kit }
  g[KEY]?.removeListeners?.()
  delete g[KEY]
}
