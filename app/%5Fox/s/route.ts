import { sentryTunnel } from '@/lib/observability/server'

/** `/_ox/s`: Sentry tunnel (CONTRACT §9). `%5F` because `_ox` would be a private folder. */
export const dynamic = 'force-dynamic'
export const POST = sentryTunnel
