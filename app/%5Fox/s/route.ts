/** `/_ox/s`: the same-origin Sentry tunnel. */

export { POST } from 'nextjs-observability-kit/routes/sentry-tunnel'
