import { sentryTunnel } from '@/lib/observability/server'

/**
 * `/_ox/s`: Sentry tunnel for the configured DSN only (docs/configuration.md, "Same-origin
 * routes"). `%5F` because `_ox` would be a private folder.
 */
export const dynamic = 'force-dynamic'
export const POST = sentryTunnel
