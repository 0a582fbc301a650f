import type { Instrumentation } from 'next'

/**
 * Next calls `register()` once per server instance and runtime. The kit's modules are imported
 * per runtime so the Edge bundle never pulls in posthog-node or Node built-ins.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { registerNode } = await import('./lib/observability/server/register')
    await registerNode()
  } else if (process.env.NEXT_RUNTIME === 'edge') {
    const { registerEdge } = await import('./lib/observability/edge/register')
    await registerEdge()
  }
}

/**
 * Errors in server components, server actions, route handlers and the middleware reach Sentry and
 * PostHog once each.
 */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME === 'edge') {
    const { onEdgeRequestError } = await import('./lib/observability/edge/register')
    return onEdgeRequestError(error, request, context)
  }
  if (process.env.NEXT_RUNTIME !== 'nodejs') return
  const { onRequestError } = await import('./lib/demo/on-request-error')
  await onRequestError(error, request, context)
}
