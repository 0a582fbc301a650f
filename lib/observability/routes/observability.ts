import { connection } from 'next/server'
import { localPreflight, localViewer } from '../server/local/local-routes.js'

/**
 * `app/observability/route.ts`: local mode's timeline page. 404 outside local mode, and to other
 * machines unless `OBSERVABILITY_LOCAL_ALLOW_REMOTE` is on.
 *
 * @example
 * export { GET, OPTIONS } from 'nextjs-observability-kit/routes/observability'
 */
export async function GET(request: Request): Promise<Response> {
  await connection()
  return localViewer(request)
}

export async function OPTIONS(): Promise<Response> {
  await connection()
  return localPreflight()
}
