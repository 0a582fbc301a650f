import { connection } from 'next/server'
import { notFound } from 'next/navigation'
import { debugRoutesEnabled } from '@/lib/demo/debug-routes'

/**
 * Throws during server rendering: the path `onRequestError` covers (no wrapper sees it).
 * 404 in production builds unless `DEBUG=1`.
 */
export default async function ServerErrorPage() {
  await connection()
  if (!debugRoutesEnabled()) notFound()
  throw new Error('Debug error thrown while rendering a server component')
}
