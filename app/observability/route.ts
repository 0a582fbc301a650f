/** `/observability`: local mode's timeline (404 outside local mode). */

export { GET, OPTIONS } from 'nextjs-observability-kit/routes/observability'
