import { localSentryIngest } from '@/lib/observability/server'

/**
 * `/_ox/s/api/<project>/envelope/`: where the Sentry server SDK sends in local mode (its DSN is
 * `http://local@127.0.0.1:<port>/_ox/s/1`). 404 outside local mode (docs/decisions/008).
 */
export const dynamic = 'force-dynamic'
export const POST = localSentryIngest
