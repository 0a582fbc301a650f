import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { NextConfig } from 'next'
import { sourceMapUploads, type SourceMapUploads } from './build-time/source-map-settings.js'

/**
 * Build-time glue for `next.config.ts`. Adds only facts of the build (package name and version
 * for the release string) and the settings the same-origin proxy needs; every switch and key is
 * still read from the environment at runtime. With an upload token in the build's environment it
 * also uploads source maps to Sentry and PostHog (docs/configuration.md "Source maps"); without
 * one the build is what Next makes of your config.
 *
 * @example
 * export default withObservabilityConfig({ reactStrictMode: true })
 */
export function withObservabilityConfig(config: NextConfig = {}): NextConfig {
  const pkg = readPackageJson()
  const uploads = sourceMapUploads(process.env, { packageName: pkg.name, packageVersion: pkg.version })
  return {
    ...config,
    ...(uploads ? withSourceMapUploads(config, uploads) : {}),
    // Loaded from node_modules, not bundled: a production bundle minifies class names, and the
    // LLM clients' error classes (their names are the exception type) would then read `eF`.
    serverExternalPackages: [...new Set([...(config.serverExternalPackages ?? []), 'openai', '@anthropic-ai/sdk'])],
    // PostHog's API uses trailing slashes (`/e/`, `/flags/`); a 308 would break the proxy.
    skipTrailingSlashRedirect: true,
    env: {
      ...config.env,
      OBSERVABILITY_PACKAGE_NAME: pkg.name ?? 'app',
      OBSERVABILITY_PACKAGE_VERSION: pkg.version ?? '0.0.0',
    },
  }
}

/**
 * With `SENTRY_AUTH_TOKEN` or `POSTHOG_CLI_API_KEY` in the build's environment, `next build`
 * emits the browser's source maps, uploads them with the server's for the runtime release, then
 * deletes the public ones (build-time/upload-source-maps.ts). Runs after the app's own
 * `runAfterProductionCompile`, if it has one. Maps the app asked for itself
 * (`productionBrowserSourceMaps: true`) are the app's: uploaded, and left where they are.
 */
function withSourceMapUploads(config: NextConfig, uploads: SourceMapUploads): NextConfig {
  const own = config.compiler?.runAfterProductionCompile
  const keepPublicMaps = config.productionBrowserSourceMaps === true
  return {
    productionBrowserSourceMaps: true,
    compiler: {
      ...config.compiler,
      runAfterProductionCompile: async (context) => {
        await own?.(context)
        const { uploadSourceMaps } = await import('./build-time/upload-source-maps.js')
        await uploadSourceMaps(context.distDir, keepPublicMaps ? { ...uploads, keepPublicMaps } : uploads)
      },
    },
  }
}

function readPackageJson(): { name?: string; version?: string } {
  try {
    return JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { name?: string; version?: string }
  } catch {
    return {}
  }
}
