import { z } from 'zod'

/**
 * The release string, `<service>@<sha or version>`, on every event of both backends and on the
 * source maps uploaded at build time: both must name the same release, so both compute it here.
 * Pure.
 */

/** A label both backends accept: environment names and the service part of the release. */
export const label = z
  .string()
  .max(64, 'expected at most 64 characters')
  .regex(/^[A-Za-z0-9._:/-]+$/, 'expected letters, digits and . _ : / -')

/**
 * The version part of a release: a commit sha or a package version. Sentry refuses releases with
 * whitespace or slashes, and an `@` would make the service part ambiguous.
 */
export const releaseVersion = z
  .string()
  .max(128, 'expected at most 128 characters')
  .regex(/^[A-Za-z0-9._+-]+$/, 'expected letters, digits and . _ + -')

/** How the config reads the environment: blank counts as unset, an invalid value falls back (and warns, at runtime). */
export interface EnvReader {
  raw(name: string): string | undefined
  read<T>(name: string, schema: z.ZodType<T>, fallback: T, fallbackText?: string): T
}

export interface PackageFacts {
  /** package.json `name` and `version`: injected into the build by `withObservabilityConfig`, read from the file by scripts. */
  readonly packageName?: string
  readonly packageVersion?: string
}

export interface Release {
  readonly serviceName: string
  readonly version: string
  /** `<serviceName>@<version>`. */
  readonly release: string
}

/**
 * `SERVICE_NAME` (else the package name), `@`, then `RELEASE_SHA`, `VERCEL_GIT_COMMIT_SHA`,
 * `RAILWAY_GIT_COMMIT_SHA` or the package version, the first that is set.
 *
 * @example
 * releaseOf(reader, { packageName: 'shop', packageVersion: '1.4.0' }) // { serviceName: 'shop', release: 'shop@<RELEASE_SHA or 1.4.0>' }
 */
export function releaseOf(env: EnvReader, build: PackageFacts): Release {
  const serviceName = env.read('SERVICE_NAME', label, build.packageName || 'app')
  const sha = (name: string) => env.read<string | undefined>(name, releaseVersion, undefined, 'the next source of the release version')
  const version = sha('RELEASE_SHA') ?? sha('VERCEL_GIT_COMMIT_SHA') ?? sha('RAILWAY_GIT_COMMIT_SHA') ?? build.packageVersion ?? '0.0.0'
  return { serviceName, version, release: `${serviceName}@${version}` }
}

/**
 * At build time (`withObservabilityConfig`'s source-map upload): the release the server will
 * report when started with the same variables. Invalid values fall back silently here; the
 * server warns about them when it starts.
 */
export function buildRelease(env: Readonly<Record<string, string | undefined>>, build: PackageFacts): Release {
  const raw = (name: string) => {
    const v = env[name]?.trim()
    return v ? v : undefined
  }
  return releaseOf(
    {
      raw,
      read: (name, schema, fallback) => {
        const v = raw(name)
        const r = v === undefined ? undefined : schema.safeParse(v)
        return r?.success ? r.data : fallback
      },
    },
    build,
  )
}
