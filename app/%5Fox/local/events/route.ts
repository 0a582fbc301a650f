import { localEvents, localPreflight } from '@/lib/observability/server'

/** `/_ox/local/events`: the JSON feed of `/observability`. 404 outside local mode and to clients on other machines. */
export const dynamic = 'force-dynamic'
export const GET = localEvents
export const OPTIONS = localPreflight
