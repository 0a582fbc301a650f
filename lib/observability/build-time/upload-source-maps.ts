import { removeClientSourceMaps } from './client-source-maps.js'
import { injectForPostHog, uploadToPostHog } from './posthog-source-maps.js'
import type { SourceMapUploads } from './source-map-settings.js'

/**
 * The body of `compiler.runAfterProductionCompile` that `withObservabilityConfig` adds when an
 * upload is configured: PostHog's inject, Sentry's inject and upload, PostHog's upload (the order
 * keeps each backend's maps true to the served files), then the browser maps deleted, whatever
 * happened before. Both uploads name the release the app reports at runtime.
 */
export async function uploadSourceMaps(distDir: string, uploads: SourceMapUploads): Promise<void> {
  for (const warning of uploads.warnings) console.warn(`[observability] ${warning}`)
  try {
    const posthog = uploads.posthog && (await injectForPostHog(distDir, uploads.posthog)) ? uploads.posthog : undefined
    if (uploads.sentry) {
      const { uploadToSentry } = await import('./sentry-source-maps.js')
      await uploadToSentry(distDir, uploads.sentry, uploads.release.release)
    }
    if (posthog) await uploadToPostHog(distDir, posthog, uploads.release)
  } finally {
    const removed = uploads.keepPublicMaps ? 0 : await removeClientSourceMaps(distDir)
    console.info(
      `[observability] source maps for ${uploads.release.release}: ${[uploads.sentry && 'Sentry', uploads.posthog && 'PostHog'].filter(Boolean).join(' and ') || 'no backend'}; ${removed} browser maps removed from the build`,
    )
  }
}
