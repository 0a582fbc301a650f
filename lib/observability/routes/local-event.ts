import { connection } from 'next/server'
import { localEvent, localPreflight } from '../server/local/local-routes.js'

/**
 * `app/%5Fox/local/events/[id]/route.ts`: one stored event with its decoded data. 404 outside
 * local mode.
 *
 * @example
 * export { GET, OPTIONS } from 'nextjs-observability-kit/routes/local-event'
 */
export async function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  await connection()
  return localEvent(request, context)
}

export async function OPTIONS(): Promise<Response> {
  await connection()
  return localPreflight()
}
