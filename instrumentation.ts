import { createOnRequestError } from 'nextjs-observability-kit/instrumentation'
import { demoUserFromHeaders } from './lib/demo/user'

/**
 * The kit on both server runtimes: Sentry on Node, error reporting from the middleware on the
 * Edge runtime, and errors in server components, server actions, route handlers and the
 * middleware reported once per backend, with the demo's signed-in user.
 */
export { register } from 'nextjs-observability-kit/instrumentation'
export const onRequestError = createOnRequestError({ getUser: demoUserFromHeaders })
