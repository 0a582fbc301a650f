import { localViewer } from '@/lib/observability/server'

/**
 * `/observability`: local mode's timeline (CONTRACT §10). A route handler returning one
 * self-contained HTML document, not a React page, so nothing of it enters the client bundle.
 * 404 outside local mode.
 */
export const dynamic = 'force-dynamic'
export const GET = localViewer
