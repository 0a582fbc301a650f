import { localPreflight, localViewer } from '@/lib/observability/server'

/**
 * `/observability`: local mode's timeline (docs/decisions/008-local-mode.md). A route handler
 * returning one self-contained HTML document, not a React page, so nothing of it enters the
 * client bundle. 404 outside local mode and to clients on other machines.
 */
export const dynamic = 'force-dynamic'
export const GET = localViewer
export const OPTIONS = localPreflight
