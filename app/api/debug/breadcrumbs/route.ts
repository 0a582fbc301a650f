import { notFound } from 'next/navigation'
import { addBreadcrumb, withTracking } from 'nextjs-observability-kit/server'
import { debugRoutesEnabled } from '@/lib/demo/debug-routes'

export const dynamic = 'force-dynamic'

/**
 * Leaves breadcrumbs that name this request, waits, then fails: the probe for "a request's
 * breadcrumbs go with its own error only" under concurrency. `name` names the request, `ms`
 * (up to 10 s) is the wait, `secret` is put in a breadcrumb's data under a sensitive key (the
 * privacy policy must remove it). Also prints one console line per level: `info` and above
 * become breadcrumbs, `log` and `debug` do not. 404 in production builds unless `DEBUG=1`.
 */
export const GET = withTracking(async (request: Request) => {
  if (!debugRoutesEnabled()) notFound()
  const q = new URL(request.url).searchParams
  const name = (q.get('name') ?? 'unnamed').slice(0, 64)
  const ms = Math.min(Math.max(Number(q.get('ms')) || 0, 0), 10_000)
  addBreadcrumb({ category: 'debug', message: `started ${name}`, data: { name, password: q.get('secret') ?? 'none' } })
  console.info(`[demo] ${name}: info line`)
  console.log(`[demo] ${name}: log line`)
  console.debug(`[demo] ${name}: debug line`)
  await new Promise((r) => setTimeout(r, ms))
  console.warn(`[demo] ${name}: warn line`)
  addBreadcrumb({ category: 'debug', message: `woke ${name}`, level: 'warning' })
  throw new Error(`breadcrumbs probe ${name} failed`)
})
