/** `/_ox/local/events`: local mode's timeline as JSON (404 outside local mode). */

export { GET, OPTIONS } from 'nextjs-observability-kit/routes/local-events'
