import type { NextFetchEvent, NextRequest } from 'next/server'
import { middleware as observability } from 'nextjs-observability-kit/edge'
import { debugRoutesEnabled } from './lib/demo/debug-routes'

/**
 * Edge middleware: request ids and the browser's runtime config. To add your own logic (auth,
 * i18n), use `withObservability(yourMiddleware)` instead; see docs/manual-setup.md.
 * On Next 16 you may instead create `proxy.ts` with the same two exports (Node runtime).
 */
export function middleware(request: NextRequest, event: NextFetchEvent) {
  // The demo's middleware failure (a debug route): shows onRequestError on the Edge runtime.
  if (request.nextUrl.pathname === '/debug/middleware-throw' && debugRoutesEnabled()) throw new Error('Debug middleware error')
  return observability(request, event)
}

export const config = {
  // Leaves out static assets, image optimisation and the kit's own ingestion routes (/_ox/…).
  matcher: [
    '/((?!_next/static|_next/image|_ox/|favicon\\.ico|robots\\.txt|sitemap\\.xml|.*\\.(?:png|jpe?g|gif|svg|webp|avif|ico|css|js|map|txt|woff2?|ttf)$).*)',
  ],
}
