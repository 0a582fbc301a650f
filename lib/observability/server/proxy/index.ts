/**
 * Same-origin ingestion routes (CONTRACT §9): the PostHog reverse proxy and the Sentry tunnel.
 * Node runtime; each forwards only to the configured host or DSN, and answers 404 while its
 * backend is off. The route files under `app/%5Fox/` re-export these (a folder named `_ox`
 * would be a private folder, which Next leaves out of routing; `%5F` is the escaped underscore).
 */
export { posthogProxy, assetsHost, type ProxyContext } from './posthog-proxy'
export { sentryTunnel, envelopeDsn } from './sentry-tunnel'
