import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { NextConfig } from 'next'
import { sourceMapUploads, type SourceMapUploads } from './build-time/source-map-settings.js'

type WebpackHook = NonNullable<NextConfig['webpack']>

/**
 * Build-time glue for `next.config.ts`. Adds only facts of the build (package name and version
 * for the release string) and the settings the same-origin proxy and the posthog-node worker
 * need; every switch and key is still read from the environment at runtime. With an upload token
 * in the build's environment it also uploads source maps to Sentry and PostHog
 * (docs/configuration.md "Source maps"); without one the build is what Next makes of your config.
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
    // Loaded from node_modules, not bundled. The LLM clients: a production bundle minifies class
    // names, and their error classes (their names are the exception type) would then read `eF`.
    // posthog-node: webpack cannot bundle it into the worker's chunk (a re-export across the
    // module concatenation fails the build); loaded by Node it works under both bundlers.
    serverExternalPackages: [...new Set([...(config.serverExternalPackages ?? []), 'openai', '@anthropic-ai/sdk', 'posthog-node'])],
    // Still needed: PostHog's API paths end in a slash (`/_ox/p/e/`, `/_ox/p/flags/`), and Next
    // would answer each with a 308 to the slash-less path first (a round trip and the body twice
    // per batch). App-wide, so `/about/` no longer redirects (docs/configuration.md).
    skipTrailingSlashRedirect: true,
    env: {
      ...config.env,
      OBSERVABILITY_PACKAGE_NAME: pkg.name ?? 'app',
      OBSERVABILITY_PACKAGE_VERSION: pkg.version ?? '0.0.0',
    },
    webpack: webpackForTheKit(config.webpack ?? undefined),
    // Next 16 stops a Turbopack build that has a `webpack` hook and no `turbopack` config, as a
    // likely mistake. The kit's hook matters to webpack builds only, so it says so with an empty
    // one; an app's own `webpack` hook without a `turbopack` config is still reported.
    ...(config.webpack || config.turbopack ? {} : { turbopack: {} }),
  }
}

/**
 * What webpack builds (Next 15's default, `next build --webpack` on 16) need; Turbopack never
 * calls it. Runs before the app's own hook, so the app has the last word.
 */
function webpackForTheKit(appHook: WebpackHook | undefined): WebpackHook {
  return (webpackConfig, context) => {
    if (context.isServer && context.nextRuntime === 'nodejs') {
      // webpack resolves `new Worker(new URL('./posthog-worker.mjs', import.meta.url))` against
      // the public path, which Next sets to the browser's `/_next/`: the server then looks for
      // the worker at `/_next/…` on disk and posthog-node falls back to the request thread.
      // `./` resolves it against the server's own chunks folder, where the worker's chunk is
      // (an empty value would mean "the public path" again).
      webpackConfig.output = { ...webpackConfig.output, workerPublicPath: './' }
    }
    if (context.nextRuntime === 'edge') {
      // posthog-node's Edge build imports `@react-email/render` only to send emails, which the
      // kit never does; its absence is expected, not a warning on every build.
      webpackConfig.ignoreWarnings = [
        ...(webpackConfig.ignoreWarnings ?? []),
        { module: /posthog-node[\\/]dist[\\/]emails[\\/]/, message: /@react-email\/render/ },
      ]
    }
    return appHook ? appHook(webpackConfig, context) : webpackConfig
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
