import { connection } from 'next/server'
import { localSentryIngest } from '../server/local/local-routes.js'

/**
 * `app/%5Fox/s/[...path]/route.ts`: where the Sentry server SDK sends in local mode. 404
 * outside local mode.
 *
 * @example
 * export { POST } from 'nextjs-observability-kit/routes/local-sentry'
 */
export async function POST(request: Request): Promise<Response> {
  await connection()
  return localSentryIngest(request)
}
