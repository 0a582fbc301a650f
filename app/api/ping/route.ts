import { withTracking } from 'nextjs-observability-kit/server'
import { demoGetUser } from '@/lib/demo/user'

/** The benchmark route (docs/benchmarks.md). */
export const GET = withTracking(async () => Response.json({ ok: true }), { getUser: demoGetUser })
