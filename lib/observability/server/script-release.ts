import 'server-only'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The release string is `<package name>@<version>` unless `RELEASE_SHA` (or a host's commit
 * variable) says otherwise. A Next server gets the package facts from its build
 * (`withObservabilityConfig` in next.config); a script is not built, so `runObserved()` reads the
 * same package.json, from the working directory, before the config is first parsed. Variables
 * already set win; an unreadable file changes nothing.
 */
export function releaseFromPackageJson(cwd = process.cwd()): void {
  const env = process.env
  if (env.OBSERVABILITY_PACKAGE_NAME && env.OBSERVABILITY_PACKAGE_VERSION) return
  let pkg: { name?: unknown; version?: unknown }
  try {
    pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as typeof pkg
  } catch {
    return
  }
  if (!env.OBSERVABILITY_PACKAGE_NAME && typeof pkg.name === 'string') env.OBSERVABILITY_PACKAGE_NAME = pkg.name
  if (!env.OBSERVABILITY_PACKAGE_VERSION && typeof pkg.version === 'string') env.OBSERVABILITY_PACKAGE_VERSION = pkg.version
}
