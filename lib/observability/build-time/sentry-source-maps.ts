import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { SentryUpload } from './source-map-settings.js'

/** Next's generated manifests: code without source maps of their own. */
const IGNORE = ['**/*-manifest.js', '**/*_client-reference-manifest.js', 'node_modules']

/**
 * Uploads a build's source maps to Sentry with Sentry's own tooling, the engine `withSentryConfig`
 * runs after a Turbopack build (`@sentry/bundler-plugins`, which drives Sentry's CLI): debug ids
 * injected into every server and browser chunk and its map, then the maps uploaded as an artifact
 * bundle for `release`, which is created and finalised. Loaded only when `SENTRY_AUTH_TOKEN` is
 * set. The maps stay on disk; `removeClientSourceMaps` deletes the public ones afterwards.
 *
 * Build telemetry is off, Sentry's (`telemetry: false`) and its CLI's (`SENTRY_CLI_NO_TELEMETRY`,
 * unless set): a build sends nothing but the upload itself. A failed upload is reported and does
 * not fail the build.
 */
export async function uploadToSentry(distDir: string, upload: SentryUpload, release: string): Promise<void> {
  process.env.SENTRY_CLI_NO_TELEMETRY ??= '1'
  process.env.SENTRY_CLI_NO_UPDATE_CHECK ??= '1'
  const { createSentryBuildPluginManager } = await import('@sentry/bundler-plugins/core')
  const assets = ['server', 'static/chunks', 'static/immutable/chunks'].map((dir) => join(distDir, dir)).filter((dir) => existsSync(dir))
  const manager = createSentryBuildPluginManager(
    {
      authToken: upload.authToken,
      org: upload.org,
      project: upload.project,
      url: upload.url,
      telemetry: false,
      release: { name: release, inject: false, create: true, finalize: true, setCommits: false },
      sourcemaps: { assets, ignore: IGNORE },
      errorHandler: (error) => console.warn(`[observability] Sentry source map upload failed: ${error.message}`),
    },
    { buildTool: 'turbopack', loggerPrefix: '[observability] Sentry source maps' },
  )
  await manager.createRelease()
  await manager.injectDebugIds([distDir])
  await manager.uploadSourcemaps([distDir], { prepareArtifacts: false })
}
