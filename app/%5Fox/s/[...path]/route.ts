/** `/_ox/s/api/<project>/envelope/`: where the Sentry server SDK sends in local mode (404 otherwise). */

export { POST } from 'nextjs-observability-kit/routes/local-sentry'
