/** `/_ox/p/*`: the same-origin PostHog proxy. `%5F` because a folder named `_ox` would be private. */

export { GET, POST } from 'nextjs-observability-kit/routes/posthog-proxy'
