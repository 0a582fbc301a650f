import type { Breadcrumb } from '@sentry/core'
import type { PostHog } from 'posthog-js/dist/module.slim.js'
import type { BrowserConfig } from '../shared/browser-config.js'
import type { ObservedUser } from '../shared/user.js'

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

/**
 * Everything the kit keeps in a page. One object per page, not state in module instances:
 * `instrumentation-client.ts`, the provider and the lazily loaded SDK glue reach the same state
 * even if a bundler ever duplicated a module across chunks, so no module of `client/` holds state
 * of its own. Nothing here imports an SDK; this file is part of the small eager graph that ships
 * before `load`.
 */
export interface Kit {
  /** `scheduled` once the SDK load is queued; `ready` once every enabled SDK loaded or failed. */
  phase: 'idle' | 'scheduled' | 'ready'
  readonly page: PageInputs
  readonly backends: Backends
  readonly errors: ErrorState
  readonly pageviews: PageviewState
  readonly listeners: WindowListeners
  readonly flags: FlagState
  readonly breadcrumbs: BreadcrumbState
}

/** What the server and the app told this page. */
export interface PageInputs {
  /** `undefined` until read; `null` when the server sent no config (both backends off). */
  config: BrowserConfig | null | undefined
  /** `undefined` = the app has not said; `null` = signed out. */
  user: ObservedUser | null | undefined
  readonly userListeners: Set<Listener>
}

/** The SDK glue, each once its chunk has loaded, and what waits for posthog-js. */
export interface Backends {
  posthog: PostHogBackend | null
  sentry: SentryBackend | null
  /** Calls for posthog-js made before it loaded (`withPostHog`, flag exposures); dropped if it never does. */
  readonly posthogWaiters: Array<(backend: PostHogBackend) => void>
}

export interface ErrorState {
  /** Errors seen before the SDKs are ready; replayed into both once they are. */
  readonly pending: PendingError[]
  /** Error objects already reported, so two paths (window + boundary) never report one twice. */
  readonly reported: WeakSet<object>
  /** Token bucket for errors once the SDKs are ready (`refilledAt` 0: not used yet, so full). */
  readonly limiter: { tokens: number; refilledAt: number }
}

export interface PageviewState {
  /** Pageviews seen before posthog-js is ready. */
  readonly pending: Pageview[]
  lastPathname: string | undefined
}

/** The `error` / `unhandledrejection` listeners, installed once however many hold them. */
export interface WindowListeners {
  holders: number
  remove: (() => void) | null
  /** `bootObservability` holds them for the page's lifetime; once, however often it runs. */
  heldByBoot: boolean
}

export interface FlagState {
  /** Server-evaluated values handed to the page (bootstrap), until posthog-js has its own. */
  bootstrap: Flags | null
  /** posthog-js's values once it has loaded flags. */
  live: Flags | null
  /** An anonymous id the server minted for this visitor, for posthog-js to adopt. */
  distinctId: string | undefined
  readonly listeners: Set<Listener>
  /** Flags whose `$feature_flag_called` the page already asked posthog-js for. */
  readonly exposed: Set<string>
}

/** `addBreadcrumb()` steps for Sentry (posthog-js's steps wait with its other calls). */
export interface BreadcrumbState {
  /** Steps recorded before Sentry's chunk started, oldest dropped first past a bound. */
  readonly pending: Breadcrumb[]
  /** Sentry's `addBreadcrumb` once its chunk has started: from then on, steps go straight in. */
  sink: ((breadcrumb: Breadcrumb) => void) | null
}

const KEY = Symbol.for('observability.kit.browser')

/** @internal The page's kit state, created on first use. */
export function getKit(): Kit {
  const g = globalThis as typeof globalThis & { [KEY]?: Kit }
  return (g[KEY] ??= createKit())
}

function createKit(): Kit {
  return {
    phase: 'idle',
    page: { config: undefined, user: undefined, userListeners: new Set() },
    backends: { posthog: null, sentry: null, posthogWaiters: [] },
    errors: { pending: [], reported: new WeakSet(), limiter: { tokens: 0, refilledAt: 0 } },
    pageviews: { pending: [], lastPathname: undefined },
    listeners: { holders: 0, remove: null, heldByBoot: false },
    flags: { bootstrap: null, live: null, distinctId: undefined, listeners: new Set(), exposed: new Set() },
    breadcrumbs: { pending: [], sink: null },
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
  g[KEY]?.listeners.remove?.()
  delete g[KEY]
}
