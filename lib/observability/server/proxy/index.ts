/**
 * Same-origin ingestion routes: the PostHog reverse proxy and the Sentry tunnel, doors to
 * ingestion only (docs/configuration.md, "Same-origin routes"). Node runtime; each forwards only
 * the SDKs' own requests to the configured host or DSN, and answers 404 while its backend is
 * off. The route files under `app/%5Fox/` re-export these (a folder named `_ox` would be a
 * private folder, which Next leaves out of routing; `%5F` is the escaped underscore).
 */
export { posthogProxy, assetsHost, type ProxyContext } from './posthog-proxy.js'
export { sentryTunnel, envelopeDsn } from './sentry-tunnel.js'
