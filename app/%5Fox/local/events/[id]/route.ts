import { localEvent } from '@/lib/observability/server'

/** `/_ox/local/events/<id>`: one stored event with its decoded data. 404 outside local mode. */
export const dynamic = 'force-dynamic'
export const GET = localEvent
