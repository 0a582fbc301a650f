/**
 * Edge entry (`nextjs-observability-kit/edge`): the middleware, for `middleware.ts` on the Edge
 * runtime and for `proxy.ts` on Next 16 (Node runtime); the same function runs on both.
 *
 * Web APIs only. Leaves out everything that needs Node or an SDK: error reporting for the
 * middleware comes through `onRequestError` (`/instrumentation`).
 */
export { withObservability, middleware, middleware as proxy, type AppMiddleware } from './middleware.js'
export { REQUEST_ID_HEADER } from '../shared/request-id.js'
