import 'server-only'

/** Where a platform hands Next its `waitUntil` (Vercel, Netlify, OpenNext…): see Next's `getBuiltinRequestContext`. */
const NEXT_REQUEST_CONTEXT = Symbol.for('@next/request-context')

/** Functions platforms that freeze or stop the process once a response is out, by the variables they set. */
const FUNCTION_PLATFORM_ENV = ['VERCEL', 'AWS_LAMBDA_FUNCTION_NAME', 'NETLIFY', 'K_SERVICE', 'FUNCTION_TARGET', 'FUNCTIONS_WORKER_RUNTIME'] as const

let functionPlatform: boolean | undefined

/**
 * Whether the host may freeze this process once the current response is sent: a serverless
 * platform that gives Next a `waitUntil`, or one known by its environment. Call it during the
 * request (the platform's context is per request). On a long-lived `next start` it is false, and
 * queued events go out in posthog-node's batches instead of one delivery per request.
 */
export function hostMayFreeze(): boolean {
  const context = (globalThis as { [NEXT_REQUEST_CONTEXT]?: { get?: () => { waitUntil?: unknown } | undefined } })[NEXT_REQUEST_CONTEXT]
  if (typeof context?.get?.()?.waitUntil === 'function') return true
  functionPlatform ??= typeof process !== 'undefined' && FUNCTION_PLATFORM_ENV.some((name) => !!process.env[name])
  return functionPlatform
}

/** @internal */
export function resetHostForTests(): void {
  functionPlatform = undefined
}
