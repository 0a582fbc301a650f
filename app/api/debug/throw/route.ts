import { notFound } from 'next/navigation'
import { getConfig, withTracking } from '@/lib/observability/server'
import { demoGetUser } from '@/lib/demo/user'

export const dynamic = 'force-dynamic'

/**
 * Throws an error of the requested class and message (CONTRACT §4), so every category of §6 can be
 * exercised from a browser or curl. 404 in production builds unless `DEBUG=1`.
 */
export const GET = withTracking(
  async (request: Request) => {
    if (!getConfig().debugRoutes) notFound()
    const url = new URL(request.url)
    const kind = (url.searchParams.get('kind') ?? 'Error').slice(0, 100)
    const message = url.searchParams.get('msg') ?? `Debug ${kind} from /api/debug/throw`
    const error = new Error(message)
    error.name = /^[A-Za-z_$][\w$]*$/.test(kind) ? kind : 'Error'
    throw error
  },
  { getUser: demoGetUser },
)
