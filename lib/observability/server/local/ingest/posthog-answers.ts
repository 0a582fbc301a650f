import { randomUUID } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { join, resolve, sep } from 'node:path'
import { BoundedCache } from './bounded-cache.js'
import { MAX_STATIC_CACHE_BYTES, MAX_STATIC_CACHE_ENTRIES } from './limits.js'

/**
 * What a PostHog project answers besides "Ok": its remote config, `/flags`, and the lazy scripts
 * posthog-js loads from `/static/`. Shared by the test fake and the app's local mode, so both
 * answer the SDK exactly alike. Framework-free, like the decoders next to it.
 */

/** A flag value: on/off, or the name of a multivariate variant. */
export type FlagValue = boolean | string

/**
 * The remote config of a project with session replay and exception capture on, in the shape
 * PostHog's `/array/<token>/config` serves (only the keys posthog-js reads at start-up).
 */
export const DEFAULT_REMOTE_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  supportedCompression: ['gzip-js'],
  sessionRecording: { endpoint: '/s/' },
  autocaptureExceptions: true,
  autocapture_opt_out: false,
  capturePerformance: false,
  toolbarParams: {},
  isAuthenticated: false,
  siteApps: [],
  analytics: { endpoint: '/e/' },
  heatmaps: false,
  surveys: false,
})

const REMOTE_CONFIG = /^\/array\/([^/]+)\/config(\.js)?$/
const STATIC_FILE = /^\/static\/(?:[\w.-]+\/)?([\w-][\w.-]*\.js(?:\.map)?)$/

/**
 * `/array/<token>/config` (JSON) or `/array/<token>/config.js` (a script), else undefined.
 *
 * @example
 * remoteConfigRequest('/array/phc_x/config.js') // { token: 'phc_x', script: true }
 */
export function remoteConfigRequest(path: string): { token: string; script: boolean } | undefined {
  const m = REMOTE_CONFIG.exec(path)
  if (!m) return undefined
  try {
    return { token: decodeURIComponent(m[1] ?? ''), script: m[2] !== undefined }
  } catch {
    return undefined
  }
}

/** The script posthog-js loads as `<script>` and then reads from `window._POSTHOG_REMOTE_CONFIG[token].config`. */
export function remoteConfigScript(token: string, config: Record<string, unknown>): string {
  const safe = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c')
  return [
    '(function() {',
    '  window._POSTHOG_REMOTE_CONFIG = window._POSTHOG_REMOTE_CONFIG || {};',
    `  window._POSTHOG_REMOTE_CONFIG[${safe(token)}] = { config: ${safe(config)}, siteApps: [] };`,
    '})();',
    '',
  ].join('\n')
}

/** A `/flags/?v=2` response; posthog-js derives `featureFlags`/payloads from `flags` when present. */
export function flagsResponse(
  flags: Readonly<Record<string, FlagValue>>,
  payloads: Readonly<Record<string, unknown>>,
  config: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const details: Record<string, unknown> = {}
  const featureFlagPayloads: Record<string, string> = {}
  Object.entries(flags).forEach(([key, value], i) => {
    const enabled = value !== false
    const payload = key in payloads ? JSON.stringify(payloads[key]) : null
    if (payload !== null && enabled) featureFlagPayloads[key] = payload
    details[key] = {
      key,
      enabled,
      variant: typeof value === 'string' ? value : null,
      reason: enabled
        ? { code: 'condition_match', condition_index: 0, description: 'Matched' }
        : { code: 'no_condition_match', condition_index: 0, description: 'No matching condition set' },
      metadata: { id: i + 1, version: 1, payload },
    }
  })
  return {
    flags: details,
    featureFlags: { ...flags },
    featureFlagPayloads,
    errorsWhileComputingFlags: false,
    sessionRecording: config.sessionRecording ?? { endpoint: '/s/' },
    supportedCompression: config.supportedCompression ?? [],
    autocaptureExceptions: config.autocaptureExceptions ?? true,
    requestId: randomUUID(),
  }
}

/**
 * The file name a `/static/…` request asks for (`/static/lazy-recorder.js`,
 * `/static/1.2.3/array.js.map`), or undefined. Only plain names: no slash, no leading dot.
 */
export function posthogStaticName(path: string): string | undefined {
  return STATIC_FILE.exec(path)?.[1]
}

const staticCache = new BoundedCache<string, Buffer>(MAX_STATIC_CACHE_ENTRIES, MAX_STATIC_CACHE_BYTES)

/**
 * The bytes of `name` from posthog-js's `dist` folder, or null when there is no such regular file
 * there. The name is checked again after resolving, so nothing outside `distDir` is ever read.
 * Files found are cached (they do not change while the process runs) in a cache bounded in
 * entries and bytes; misses are not, so asking for many names cannot grow it.
 *
 * @example
 * readPosthogStatic('lazy-recorder.js', join(process.cwd(), 'node_modules/posthog-js/dist'))
 */
export function readPosthogStatic(name: string, distDir: string): Buffer | null {
  const key = `${distDir}\0${name}`
  const cached = staticCache.get(key)
  if (cached) return cached
  const root = resolve(distDir)
  const target = resolve(join(root, name))
  if (!/^[\w-][\w.-]*\.js(?:\.map)?$/.test(name) || !target.startsWith(root + sep)) return null
  let file: Buffer
  try {
    if (!statSync(target).isFile()) return null
    file = readFileSync(target)
  } catch {
    return null
  }
  staticCache.set(key, file)
  return file
}

/** @internal How full the static-file cache is, and its bounds, for tests. */
export function posthogStaticCacheUsage(): { entries: number; bytes: number; maxEntries: number; maxBytes: number } {
  return { entries: staticCache.size, bytes: staticCache.bytes, maxEntries: staticCache.maxEntries, maxBytes: staticCache.maxBytes }
}

/** Content type for a posthog-js static file. */
export function staticContentType(name: string): string {
  return name.endsWith('.map') ? 'application/json' : 'application/javascript; charset=utf-8'
}
