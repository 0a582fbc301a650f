import { notFound, redirect } from 'next/navigation'
import { addBreadcrumb, withTracking } from 'nextjs-observability-kit/server'
import { debugRoutesEnabled } from '@/lib/demo/debug-routes'
import { demoGetUser } from '@/lib/demo/user'

export const dynamic = 'force-dynamic'

const MAX_MESSAGE_CHARS = 2_000_000

/**
 * Throws what it is asked to (README, "The demo"), so every error category and every odd throw can be
 * exercised from a browser, curl or a test:
 * - `kind`: an error class name (`RateLimitError`, `ValidationError`…), or `string`, `null`,
 *   `object`, `circular` for non-Error throws, or `redirect` / `notFound` for Next control flow;
 * - `msg`: the message, `repeat`: repeat it N times (at most 2 MB in all) for oversized messages;
 * - `status`: attach an HTTP status to the error (e.g. 422, 429);
 * - `delay`: wait this many ms first (up to 30 s), for slow-request and concurrency demos.
 * 404 in production builds unless `DEBUG=1`.
 */
export const GET = withTracking(
  async (request: Request) => {
    if (!debugRoutesEnabled()) notFound()
    const q = new URL(request.url).searchParams
    const kind = (q.get('kind') ?? 'Error').slice(0, 100)
    const text = q.get('msg') ?? `Debug ${kind} from /api/debug/throw`
    // Enough to show an oversized message (2 MB), never more: repeats are counted, not allocated.
    const repeat = Math.min(Math.max(Number(q.get('repeat')) || 1, 1), Math.ceil(MAX_MESSAGE_CHARS / Math.max(text.length, 1)))
    const message = text.repeat(repeat).slice(0, MAX_MESSAGE_CHARS)
    const delay = Math.min(Math.max(Number(q.get('delay')) || 0, 0), 30_000)
    if (delay) await new Promise((r) => setTimeout(r, delay))
    addBreadcrumb({ category: 'debug', message: `throwing ${kind}`, data: { status: Number(q.get('status')) || null } })
    throw makeThrowable(kind, message, Number(q.get('status')) || undefined)
  },
  { getUser: demoGetUser },
)

function makeThrowable(kind: string, message: string, status: number | undefined): unknown {
  switch (kind) {
    case 'redirect':
      redirect('/')
    case 'notFound':
      notFound()
    case 'string':
      return message
    case 'null':
      return null
    case 'object':
      return { reason: message, code: 42 }
    case 'circular': {
      const o: Record<string, unknown> = { reason: message }
      o.self = o
      return o
    }
  }
  const error = Object.assign(new Error(message), status ? { status } : {})
  error.name = /^[A-Za-z_$][\w$]*$/.test(kind) ? kind : 'Error'
  return error
}
