/** The kit's state in a page, as `observabilityPageState` reports it. */
export interface ObservabilityPageState {
  /** `absent` before the kit ran; `idle` (both backends off, or not started), `scheduled`, `ready`. */
  readonly phase: 'absent' | 'idle' | 'scheduled' | 'ready'
  /** The document's request id, when the server sent the browser a config. */
  readonly requestId?: string
  /** The kit has looked for the server's config; from then on `configured` is final. */
  readonly configRead: boolean
  /** False when the server sent no config (both backends off), or before the kit looked. */
  readonly configured: boolean
  readonly posthog: boolean
  readonly sentry: boolean
  readonly distinctId?: string
  readonly sessionId?: string
  /** posthog-js is recording a replay (so it has applied its remote config). */
  readonly recording: boolean
  /**
   * posthog-js's own exception autocapture is on. The kit keeps it off: its window listeners
   * report each uncaught error to both backends, and a second reporter would double it.
   */
  readonly posthogCapturesExceptions: boolean
}

/**
 * A snapshot of the kit in the current page, for end-to-end tests, which hand the function itself
 * to the browser (`page.evaluate(observabilityPageState)`, `page.waitForFunction(…)`). It reads
 * only globals, so its source runs as it is in the page.
 *
 * @example
 * import { observabilityPageState } from 'nextjs-observability-kit/testing'
 * await page.waitForFunction(() => observabilityPageState().phase === 'ready') // inline, or:
 * const state = await page.evaluate(observabilityPageState)
 */
export function observabilityPageState(): ObservabilityPageState {
  type Instance = { sessionRecordingStarted?(): boolean; exceptionObserver?: { isEnabled?: boolean } }
  type Backend = { distinctId?(): string | undefined; sessionId?(): string | undefined; instance?: Instance }
  type PageKit = {
    phase?: 'idle' | 'scheduled' | 'ready'
    page?: { config?: { rid?: string } | null }
    backends?: { posthog?: Backend | null; sentry?: unknown }
  }
  const kit = (globalThis as unknown as Record<symbol, PageKit | undefined>)[Symbol.for('observability.kit.browser')]
  const read = <T>(fn: () => T): T | undefined => {
    try {
      return fn()
    } catch {
      return undefined
    }
  }
  return {
    phase: kit?.phase ?? 'absent',
    requestId: kit?.page?.config?.rid,
    configRead: kit?.page?.config !== undefined,
    configured: !!kit?.page?.config,
    posthog: !!kit?.backends?.posthog,
    sentry: !!kit?.backends?.sentry,
    distinctId: read(() => kit?.backends?.posthog?.distinctId?.()),
    sessionId: read(() => kit?.backends?.posthog?.sessionId?.()),
    recording: read(() => kit?.backends?.posthog?.instance?.sessionRecordingStarted?.()) === true,
    posthogCapturesExceptions: read(() => kit?.backends?.posthog?.instance?.exceptionObserver?.isEnabled) === true,
  }
}
