import { localEvent, localPreflight } from '@/lib/observability/server'

/** `/_ox/local/events/<id>`: one stored event with its decoded data. 404 outside local mode and to clients on other machines. */
export const dynamic = 'force-dynamic'
export const GET = localEvent
export const OPTIONS = localPreflight
