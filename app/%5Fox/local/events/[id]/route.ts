/** `/_ox/local/events/<id>`: one stored event, decoded (404 outside local mode). */

export { GET, OPTIONS } from 'nextjs-observability-kit/routes/local-event'
