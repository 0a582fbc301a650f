import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { NextConfig } from 'next'

/**
 * Build-time glue for `next.config.ts`. Adds only facts of the build (package name and version
 * for the release string) and the settings the same-origin proxy needs; every switch and key is
 * still read from the environment at runtime.
 *
 * @example
 * export default withObservabilityConfig({ reactStrictMode: true })
 */
export function withObservabilityConfig(config: NextConfig = {}): NextConfig {
  const pkg = readPackageJson()
  return {
    ...config,
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

function readPackageJson(): { name?: string; version?: string } {
  try {
    return JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { name?: string; version?: string }
  } catch {
    return {}
  }
}
