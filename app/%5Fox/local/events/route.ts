import { localEvents } from '@/lib/observability/server'

/** `/_ox/local/events`: the JSON feed of `/observability`. 404 outside local mode (CONTRACT §10). */
export const dynamic = 'force-dynamic'
export const GET = localEvents
