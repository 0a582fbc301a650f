import { connection } from 'next/server'
import { sentryTunnel } from '../server/proxy/sentry-tunnel.js'

/**
 * `app/%5Fox/s/route.ts`: the same-origin Sentry tunnel (`/_ox/s`), forwarding envelopes for the
 * configured DSN only.
 *
 * @example
 * export { POST } from 'nextjs-observability-kit/routes/sentry-tunnel'
 */
export async function POST(request: Request): Promise<Response> {
  await connection()
  return sentryTunnel(request)
}
