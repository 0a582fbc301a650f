import { notFound } from 'next/navigation'
import { addBreadcrumb, getRequestId, withTracking } from 'nextjs-observability-kit/server'
import { debugRoutesEnabled } from '@/lib/demo/debug-routes'
import { demoGetUser } from '@/lib/demo/user'

export const dynamic = 'force-dynamic'

/**
 * Answers after `ms` milliseconds (up to 30 s) with the user and request id it saw: a
 * `slow_request` demo, and the probe for per-request isolation under concurrency.
 */
export const GET = withTracking(
  async (request: Request) => {
    if (!debugRoutesEnabled()) notFound()
    const ms = Math.min(Math.max(Number(new URL(request.url).searchParams.get('ms')) || 0, 0), 30_000)
    addBreadcrumb({ category: 'debug', message: `waiting ${ms} ms` })
    await new Promise((r) => setTimeout(r, ms))
    return Response.json({ ok: true, request_id: await getRequestId(), user: demoGetUser(request)?.id ?? null })
  },
  { getUser: demoGetUser },
)
