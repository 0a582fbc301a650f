import { withTracking } from 'nextjs-observability-kit/server'
import { demoGetUser } from '@/lib/demo/user'

/** The benchmark route (CONTRACT §4). */
export const GET = withTracking(async () => Response.json({ ok: true }), { getUser: demoGetUser })
