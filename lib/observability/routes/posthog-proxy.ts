import { connection } from 'next/server'
import { posthogProxy, type ProxyContext } from '../server/proxy/posthog-proxy.js'

/**
 * `app/%5Fox/p/[...path]/route.ts`: the same-origin PostHog proxy (`/_ox/p/*`), a door to
 * PostHog's ingestion paths only. `%5F` because a folder named `_ox` would be private.
 *
 * @example
 * export { GET, POST } from 'nextjs-observability-kit/routes/posthog-proxy'
 */
export async function GET(request: Request, context: ProxyContext): Promise<Response> {
  // Always dynamic, with or without Cache Components, and without `export const dynamic`.
  await connection()
  return posthogProxy(request, context)
}

export const POST = GET
