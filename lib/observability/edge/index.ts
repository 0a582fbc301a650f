/**
 * Edge entry: what `middleware.ts` (Edge runtime) and `proxy.ts` (Node, Next 16) import.
 *
 * Web APIs only. Leaves out everything that needs Node or an SDK (posthog-node, Sentry's server
 * SDK, `next/headers`): those live in `../server`. A test enforces the boundary.
 */
export { withObservability, middleware, type AppMiddleware } from './middleware'
export { getConfig } from '../shared/get-config'
export { REQUEST_ID_HEADER, isValidRequestId, resolveRequestId } from '../shared/request-id'
