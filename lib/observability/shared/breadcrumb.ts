import type { Breadcrumb } from '@sentry/core'

/** Sentry's severity levels, which breadcrumbs share with events. */
export type BreadcrumbLevel = 'fatal' | 'error' | 'warning' | 'log' | 'info' | 'debug'

/**
 * A step the app took, kept with its request (or page) and sent with that request's next error:
 * what `addBreadcrumb()` accepts on the server and in the browser.
 */
export interface KitBreadcrumb {
  /** What kind of step: `chat`, `auth`, `db`… Shown as the breadcrumb's category in Sentry. */
  readonly category?: string
  readonly message?: string
  /** Default `info`. */
  readonly level?: BreadcrumbLevel
  /** Scrubbed like everything else the kit sends (docs/privacy.md). */
  readonly data?: Readonly<Record<string, unknown>>
}

const LEVELS = new Set<BreadcrumbLevel>(['fatal', 'error', 'warning', 'log', 'info', 'debug'])
/** Sentry keeps a breadcrumb's message whole; a step is a line, not a payload. */
const MAX_MESSAGE_CHARS = 2_000
const MAX_CATEGORY_CHARS = 100

/**
 * The breadcrumb the SDKs receive: level checked, text bounded. Whatever the app passes, the
 * result is a plain breadcrumb; never throws. The privacy policy is applied where it leaves for
 * the SDKs' buffers, by Sentry's `beforeBreadcrumb` (`scrubBreadcrumb`) and posthog-js's
 * `before_send`, so none of it ships with the browser's first load.
 *
 * @example
 * toSentryBreadcrumb({ category: 'chat', message: 'model called', data: { model: 'gpt-4o-mini' } })
 */
export function toSentryBreadcrumb(crumb: KitBreadcrumb, timestampMs = Date.now()): Breadcrumb {
  const level = crumb.level && LEVELS.has(crumb.level) ? crumb.level : 'info'
  const category = typeof crumb.category === 'string' && crumb.category ? crumb.category.slice(0, MAX_CATEGORY_CHARS) : 'app'
  const message = typeof crumb.message === 'string' ? crumb.message.slice(0, MAX_MESSAGE_CHARS) : undefined
  const data = crumb.data && typeof crumb.data === 'object' && !Array.isArray(crumb.data) ? { ...crumb.data } : undefined
  return {
    type: 'default',
    category,
    level,
    timestamp: timestampMs / 1_000,
    ...(message !== undefined ? { message } : {}),
    ...(data ? { data } : {}),
  }
}

/** A line the kit printed itself (`[observability] …`): the kit's news, not a step of the app's request. */
export function isKitConsoleLine(crumb: Breadcrumb): boolean {
  return crumb.category === 'console' && typeof crumb.message === 'string' && crumb.message.startsWith('[observability]')
}

/**
 * PostHog's own breadcrumbs: posthog-js attaches the steps given to `addExceptionStep()` to the
 * next `$exception` as `$exception_steps`, in the shape `@posthog/core` defines
 * (`{ $message, $timestamp, …properties }`), bounded to 32 KB, oldest dropped first. posthog-node
 * has no such buffer, so the server kit builds the list from the request's breadcrumbs itself.
 */
export type ExceptionStep = { readonly $message: string; readonly $timestamp: string } & Readonly<Record<string, unknown>>

/** posthog-js's default budget for the steps on one exception (`exception_steps.max_bytes`). */
export const EXCEPTION_STEPS_MAX_BYTES = 32_768

/**
 * Breadcrumbs (already scrubbed by `beforeBreadcrumb`) as `$exception_steps`, oldest first,
 * the oldest dropped past PostHog's 32 KB budget.
 *
 * @example
 * exceptionSteps([{ category: 'chat', message: 'model called', timestamp: 1767225600 }])
 * // [{ $message: 'model called', $timestamp: '2026-01-01T00:00:00.000Z', category: 'chat', level: 'info' }]
 */
export function exceptionSteps(breadcrumbs: readonly Breadcrumb[]): ExceptionStep[] {
  const steps: ExceptionStep[] = []
  let bytes = 0
  for (let i = breadcrumbs.length - 1; i >= 0; i--) {
    const crumb = breadcrumbs[i]!
    const message = crumb.message ?? crumb.category ?? crumb.type
    if (!message) continue
    const bare: ExceptionStep = {
      $message: message,
      $timestamp: new Date(typeof crumb.timestamp === 'number' ? crumb.timestamp * 1_000 : Date.now()).toISOString(),
      ...(crumb.category ? { category: crumb.category } : {}),
      level: crumb.level ?? 'info',
    }
    const withData: ExceptionStep | undefined = crumb.data ? { ...bare, data: crumb.data } : undefined
    // A step whose data cannot be measured (or is larger than the budget) keeps its message.
    let step = withData ?? bare
    let size = byteLength(step)
    if (withData && !(size <= EXCEPTION_STEPS_MAX_BYTES)) size = byteLength((step = bare))
    if (bytes + size > EXCEPTION_STEPS_MAX_BYTES) break
    bytes += size
    steps.push(step)
  }
  return steps.reverse()
}

function byteLength(value: unknown): number {
  try {
    return new TextEncoder().encode(JSON.stringify(value)).byteLength
  } catch {
    return Number.POSITIVE_INFINITY
  }
}
