import { posthogProxy } from '@/lib/observability/server'

/**
 * `/_ox/p/*`: PostHog reverse proxy, the SDKs' paths only (docs/configuration.md, "Same-origin
 * routes"). `%5F` because `_ox` would be a private folder.
 */
export const dynamic = 'force-dynamic'
export const GET = posthogProxy
export const POST = posthogProxy
