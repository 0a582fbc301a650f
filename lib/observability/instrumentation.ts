import type { OnRequestErrorOptions } from './server/on-request-error.js'

/**
 * Entry for the app's `instrumentation.ts`: `register` and `onRequestError` for both server
 * runtimes. Next compiles `instrumentation.ts` once per runtime with `process.env.NEXT_RUNTIME`
 * fixed, so each runtime's branch below is the only one bundled: the Edge bundle never holds
 * posthog-node or Node built-ins, and a disabled kit loads no SDK at all.
 *
 * Leaves out everything a request handler uses (`withTracking`…, in `/server`) and the
 * middleware (`/edge`).
 *
 * @example
 * // instrumentation.ts
 * export { register, onRequestError } from 'nextjs-observability-kit/instrumentation'
 */

export type { OnRequestErrorOptions }

/** What Next passes to `onRequestError` (the same shape on both runtimes). */
interface RequestErrorInfo {
  readonly path: string
  readonly method: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}
interface RequestErrorContext {
  readonly routerKind: string
  readonly routePath: string
  readonly routeType: string
  readonly renderSource?: string
}
type OnRequestError = (error: unknown, request: RequestErrorInfo, context: RequestErrorContext) => Promise<void>

/**
 * Starts the kit in this server instance: on Node it prints config warnings once and starts
 * Sentry when `SENTRY_DSN` is set; on the Edge runtime it starts nothing (the SDKs load on the
 * first error).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    await (await import('./server/register.js')).registerNode()
  } else if (process.env.NEXT_RUNTIME === 'edge') {
    await (await import('./edge/register.js')).registerEdge()
  }
}

/**
 * Next's `onRequestError`, with the signed-in user read from the failing request's headers:
 * errors in server components, server actions, route handlers and the middleware reach Sentry
 * and PostHog once each (never twice when a wrapper already reported them).
 *
 * @example
 * export { register } from 'nextjs-observability-kit/instrumentation'
 * export const onRequestError = createOnRequestError({ getUser: (headers) => userFromSession(headers.get('cookie')) })
 */
export function createOnRequestError(options: OnRequestErrorOptions = {}): OnRequestError {
  let onNode: OnRequestError | undefined
  return async (error, request, context) => {
    if (process.env.NEXT_RUNTIME === 'nodejs') {
      onNode ??= (await import('./server/on-request-error.js')).createOnRequestError(options)
      await onNode(error, request, context)
    } else if (process.env.NEXT_RUNTIME === 'edge') {
      await (await import('./edge/register.js')).onEdgeRequestError(error, request, context)
    }
  }
}

/** `createOnRequestError()` without a user: events of failing requests stay anonymous. */
export const onRequestError: OnRequestError = createOnRequestError()
