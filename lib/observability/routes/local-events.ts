import { connection } from 'next/server'
import { localEvents, localPreflight } from '../server/local/local-routes.js'

/**
 * `app/%5Fox/local/events/route.ts`: local mode's timeline as JSON. 404 outside local mode.
 *
 * @example
 * export { GET, OPTIONS } from 'nextjs-observability-kit/routes/local-events'
 */
export async function GET(request: Request): Promise<Response> {
  await connection()
  return localEvents(request)
}

export async function OPTIONS(): Promise<Response> {
  await connection()
  return localPreflight()
}
