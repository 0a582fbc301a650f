import { buildRelease, type PackageFacts, type Release } from '../shared/release.js'

/**
 * Which source-map uploads a `next build` runs, read from the build's environment. Pure. Without
 * `SENTRY_AUTH_TOKEN` or `POSTHOG_CLI_API_KEY` there is none and the build is left as it is.
 */

export interface SentryUpload {
  readonly authToken: string
  /** Optional with an organization token (`sntrys_…`), which names its organization. */
  readonly org?: string
  readonly project: string
  /** `SENTRY_URL`: self-hosted Sentry; sentry.io when unset. */
  readonly url?: string
}

export interface PostHogUpload {
  /** A personal API key with error tracking write access (`phx_…`). */
  readonly apiKey: string
  readonly projectId: string
  /** `POSTHOG_CLI_HOST`, else `POSTHOG_HOST`, else the CLI's default. */
  readonly host?: string
}

export interface SourceMapUploads {
  readonly sentry?: SentryUpload
  readonly posthog?: PostHogUpload
  /** The release the app reports at runtime when started with the same variables. */
  readonly release: Release
  /** Why a configured upload cannot run; printed once by the build. */
  readonly warnings: readonly string[]
  /** The app set `productionBrowserSourceMaps: true` itself: its public maps stay. */
  readonly keepPublicMaps?: boolean
}

type Env = Readonly<Record<string, string | undefined>>

/**
 * @example
 * sourceMapUploads(process.env, { packageName: 'shop', packageVersion: '1.4.0' })
 * // { sentry: { authToken, org: 'acme', project: 'shop' }, release: { release: 'shop@<sha>', … }, warnings: [] }
 */
export function sourceMapUploads(env: Env, build: PackageFacts): SourceMapUploads | null {
  const raw = (name: string) => {
    const v = env[name]?.trim()
    return v ? v : undefined
  }
  const warnings: string[] = []
  let sentry: SentryUpload | undefined
  const authToken = raw('SENTRY_AUTH_TOKEN')
  if (authToken) {
    const org = raw('SENTRY_ORG')
    const project = raw('SENTRY_PROJECT')
    if (!project) warnings.push('SENTRY_AUTH_TOKEN is set but SENTRY_PROJECT is not: Sentry source maps are not uploaded.')
    else if (!org && !authToken.startsWith('sntrys_')) warnings.push('SENTRY_AUTH_TOKEN is set but SENTRY_ORG is not: Sentry source maps are not uploaded.')
    else sentry = { authToken, project, ...(org ? { org } : {}), ...(raw('SENTRY_URL') ? { url: raw('SENTRY_URL') } : {}) }
  }
  let posthog: PostHogUpload | undefined
  const apiKey = raw('POSTHOG_CLI_API_KEY') ?? raw('POSTHOG_CLI_TOKEN')
  if (apiKey) {
    const projectId = raw('POSTHOG_CLI_PROJECT_ID') ?? raw('POSTHOG_CLI_ENV_ID')
    const host = raw('POSTHOG_CLI_HOST') ?? raw('POSTHOG_HOST')
    if (!projectId) warnings.push('POSTHOG_CLI_API_KEY is set but POSTHOG_CLI_PROJECT_ID is not: PostHog source maps are not uploaded.')
    else posthog = { apiKey, projectId, ...(host ? { host } : {}) }
  }
  if (!authToken && !apiKey) return null
  return { ...(sentry ? { sentry } : {}), ...(posthog ? { posthog } : {}), release: buildRelease(env, build), warnings }
}
