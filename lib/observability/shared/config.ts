import { z } from 'zod'
import { POSTHOG_PROXY_PATH, SENTRY_TUNNEL_PATH } from './routes.js'
import { parseSentryDsn } from './sentry-dsn.js'
import { IDENTIFY_PII_MODES, type IdentifyPii } from './user.js'
import { label, releaseOf } from './release.js'

/**
 * The kit's configuration, parsed once from the server environment (docs/configuration.md).
 *
 * Pure: takes the environment as an argument, returns a frozen object plus the warnings the
 * caller should print once. Nothing here throws on bad input; every invalid value falls back
 * to its safe default and produces one readable warning naming the variable.
 */

export type { IdentifyPii }

/** Why a backend is off: no key at all, or a key we refused to use. */
export type DisabledReason = 'unset' | 'invalid'

export type PostHogConfig =
  | { readonly enabled: false; readonly reason: DisabledReason }
  | {
      readonly enabled: true
      readonly apiKey: string
      readonly host: string
      readonly environment: string
      readonly replay: boolean
      /** `POSTHOG_SURVEYS`: posthog-js loads and shows surveys. Off by default: no survey code on pages that show none. */
      readonly surveys: boolean
      readonly llmPayloads: boolean
      readonly llmPayloadMaxChars: number
      readonly debug: boolean
    }

export type SentryConfig =
  | { readonly enabled: false; readonly reason: DisabledReason }
  | {
      readonly enabled: true
      readonly dsn: string
      readonly environment: string
      readonly sampleRate: number
      readonly tracesSampleRate: number
      /**
       * Sentry's own replay. One recorder per page: while PostHog records (its masked replay, which
       * Sentry events link to by `posthog_session_id`), both rates default to 0; with PostHog replay
       * off, or either `SENTRY_REPLAYS_*` variable set, they are as configured (docs/configuration.md "Replay").
       */
      readonly replaysSessionSampleRate: number
      readonly replaysOnErrorSampleRate: number
      /** `SENTRY_TRACING`: the kit's own request spans (`kit`), or Sentry's OpenTelemetry setup (`full`). */
      readonly tracing: SentryTracing
    }

/**
 * How the Node server traces (docs/decisions/009): `kit` (the default) traces tracked requests,
 * their outgoing calls and LLM calls with spans of its own, without OpenTelemetry; `full` turns
 * on Sentry's OpenTelemetry setup and its default integrations (every request, server
 * components, `fetch`), at a CPU cost per request.
 */
export type SentryTracing = (typeof SENTRY_TRACING_MODES)[number]
export const SENTRY_TRACING_MODES = ['kit', 'full'] as const

export interface ObservabilityConfig {
  readonly posthog: PostHogConfig
  readonly sentry: SentryConfig
  /** `<service>@<sha or version>`, on every event of both backends. */
  readonly release: string
  readonly serviceName: string
  readonly identifyPii: IdentifyPii
  /** `POSTHOG_REPLAY_MASK_SELECTOR`: added to the mask list of both replays (PostHog and Sentry). */
  readonly replayMaskSelector: string
  /** Lower-cased email domains whose users are tagged `is_internal: true`. */
  readonly internalDomains: readonly string[]
  readonly slowRequestThresholdMs: number
  readonly dev: boolean
  /**
   * Local mode (docs/configuration.md "Local mode"): under `next dev` with neither key set, or with
   * `OBSERVABILITY_LOCAL=1`. Both backends are on, but point at the app's own ingestion routes,
   * which keep the traffic on disk; nothing leaves the machine.
   */
  readonly local: boolean
  /**
   * `OBSERVABILITY_TRUSTED_PROXY_HOPS`: how many proxies the app runs behind, each adding the
   * address it saw to `X-Forwarded-For`. 0 (the default): the PostHog proxy forwards no client
   * address, since any client can write that header. See docs/configuration.md "Same-origin routes".
   */
  readonly trustedProxyHops: number
  /**
   * `OBSERVABILITY_LOCAL_ALLOW_REMOTE`: local mode's routes also answer clients on other machines
   * (and under any host name). Off by default: they answer loopback clients only.
   */
  readonly localAllowRemote: boolean
}

/** The project key posthog-js and posthog-node use in local mode; it never reaches PostHog. */
export const LOCAL_POSTHOG_KEY = 'phc_local_observability_kit'
/** The public key of local mode's Sentry DSN. */
export const LOCAL_SENTRY_KEY = 'local'

export interface BuildFacts {
  /** package.json `name` and `version`, injected at build time (see `withObservabilityConfig`). */
  readonly packageName?: string
  readonly packageVersion?: string
  /** True under `next dev`. */
  readonly dev: boolean
}

export interface ParsedConfig {
  readonly config: ObservabilityConfig
  readonly warnings: readonly string[]
}

type Env = Readonly<Record<string, string | undefined>>

export const DEFAULT_POSTHOG_HOST = 'https://eu.i.posthog.com'
export const DEFAULT_LLM_PAYLOAD_MAX_CHARS = 30_000
/** Past this a single `$ai_generation` risks PostHog's ~1 MB per-event limit. */
export const MAX_LLM_PAYLOAD_MAX_CHARS = 200_000
export const DEFAULT_SLOW_REQUEST_THRESHOLD_MS = 5_000
/** More proxies than this in front of one app is a misconfiguration, not a deployment. */
export const MAX_TRUSTED_PROXY_HOPS = 10

const TRUE = new Set(['1', 'true', 'yes', 'on'])
const FALSE = new Set(['0', 'false', 'no', 'off'])

const booleanish = z.string().transform((v, ctx) => {
  const s = v.toLowerCase()
  if (TRUE.has(s)) return true
  if (FALSE.has(s)) return false
  ctx.addIssue({ code: 'custom', message: 'expected true/false (or 1/0, yes/no, on/off)' })
  return z.NEVER
})

const rate = z.coerce.number({ message: 'expected a number' }).min(0, 'expected a number from 0 to 1').max(1, 'expected a number from 0 to 1')

const positiveInt = z.coerce.number({ message: 'expected a whole number' }).int('expected a whole number').positive('expected a number above 0')

const httpUrl = z
  .string()
  .url('expected an absolute http(s) URL')
  .refine((v) => /^https?:\/\//i.test(v), 'expected an http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''))

const port = z.coerce
  .number({ message: 'expected a port number' })
  .int('expected a port number')
  .min(1, 'expected a port number')
  .max(65535, 'expected a port number')

const identifyPii = z.enum(IDENTIFY_PII_MODES, { message: 'expected none, id, email or full' })

/**
 * Parses the environment. Empty strings count as unset (a blank line in a `.env` file is not a
 * decision to turn something on).
 */
export function parseConfig(env: Env, build: BuildFacts): ParsedConfig {
  const warnings: string[] = []

  const raw = (name: string): string | undefined => {
    const v = env[name]?.trim()
    return v ? v : undefined
  }

  function read<T>(name: string, schema: z.ZodType<T>, fallback: T, fallbackText = String(fallback)): T {
    const v = raw(name)
    if (v === undefined) return fallback
    const r = schema.safeParse(v)
    if (r.success) return r.data
    const why = r.error.issues[0]?.message ?? 'invalid value'
    warnings.push(`${name}=${JSON.stringify(truncateForWarning(v))} is invalid (${why}); using ${fallbackText}.`)
    return fallback
  }

  const dev = build.dev
  const autoEnvironment =
    read<string | undefined>('APP_ENV', label, undefined, 'the next source of the environment') ??
    read<string | undefined>('VERCEL_ENV', label, undefined, 'the next source of the environment') ??
    (dev ? 'local' : 'unknown')

  const identify = read('POSTHOG_IDENTIFY_PII', identifyPii, 'email' as IdentifyPii)

  const forcedLocal = read('OBSERVABILITY_LOCAL', booleanish, false)
  const local = forcedLocal || (dev && raw('POSTHOG_API_KEY') === undefined && raw('SENTRY_DSN') === undefined)
  if (forcedLocal && (raw('POSTHOG_API_KEY') !== undefined || raw('SENTRY_DSN') !== undefined)) {
    warnings.push('OBSERVABILITY_LOCAL=1 keeps everything on this machine: POSTHOG_API_KEY and SENTRY_DSN are ignored.')
  }
  // The server SDKs post to the app itself; Next sets PORT once it listens.
  const localOrigin = `http://127.0.0.1:${local ? read('PORT', port, 3000) : 3000}`

  const posthog = ((): PostHogConfig => {
    const key = local ? LOCAL_POSTHOG_KEY : raw('POSTHOG_API_KEY')
    if (key === undefined) return freeze({ enabled: false, reason: 'unset' })
    if (/^ph[xs]_/.test(key)) {
      const kind = key.startsWith('phx_') ? 'a personal API key (phx_…)' : 'a project secret key (phs_…)'
      warnings.push(
        `POSTHOG_API_KEY is ${kind}. That key grants access to your PostHog account and must never reach a browser, ` +
          'so PostHog stays off. Set POSTHOG_API_KEY to the project API key (phc_…, Project settings → Project API key); ' +
          'it is write-only and safe to expose.',
      )
      return freeze({ enabled: false, reason: 'invalid' })
    }
    if (!/^phc_[A-Za-z0-9_-]{8,}$/.test(key)) {
      warnings.push(`POSTHOG_API_KEY=${JSON.stringify(truncateForWarning(key))} is not a PostHog project API key (expected phc_…); PostHog stays off.`)
      return freeze({ enabled: false, reason: 'invalid' })
    }
    const environment = read('POSTHOG_ENVIRONMENT', label, autoEnvironment)
    return freeze({
      enabled: true,
      apiKey: key,
      host: local ? `${localOrigin}${POSTHOG_PROXY_PATH}` : read('POSTHOG_HOST', httpUrl, DEFAULT_POSTHOG_HOST),
      environment,
      replay: read('POSTHOG_REPLAY', booleanish, true),
      surveys: read('POSTHOG_SURVEYS', booleanish, false),
      llmPayloads: read('POSTHOG_LLM_PAYLOADS', booleanish, false),
      llmPayloadMaxChars: read(
        'POSTHOG_LLM_PAYLOAD_MAX_CHARS',
        positiveInt.max(MAX_LLM_PAYLOAD_MAX_CHARS, `expected at most ${MAX_LLM_PAYLOAD_MAX_CHARS}`),
        DEFAULT_LLM_PAYLOAD_MAX_CHARS,
      ),
      debug: read('POSTHOG_DEBUG', booleanish, false),
    })
  })()

  const sentry = ((): SentryConfig => {
    const value = local ? `http://${LOCAL_SENTRY_KEY}@${localOrigin.slice('http://'.length)}${SENTRY_TUNNEL_PATH}/1` : raw('SENTRY_DSN')
    if (value === undefined) return freeze({ enabled: false, reason: 'unset' })
    if (!parseSentryDsn(value)) {
      warnings.push(`SENTRY_DSN=${JSON.stringify(redactDsn(value))} is not a valid DSN (expected https://<key>@<host>/<project id>); Sentry stays off.`)
      return freeze({ enabled: false, reason: 'invalid' })
    }
    const environment = read('SENTRY_ENVIRONMENT', label, autoEnvironment)
    const verbose = environment === 'local' || environment === 'development'
    // One recorder per page: Sentry's replay steps aside for PostHog's unless asked for by name.
    const sentryReplayAsked = raw('SENTRY_REPLAYS_SESSION_SAMPLE_RATE') !== undefined || raw('SENTRY_REPLAYS_ON_ERROR_SAMPLE_RATE') !== undefined
    const replayDefaults = posthog.enabled && posthog.replay && !sentryReplayAsked ? { session: 0, onError: 0 } : { session: 0, onError: 1 }
    return freeze({
      enabled: true,
      dsn: value,
      environment,
      sampleRate: read('SENTRY_SAMPLE_RATE', rate, 1),
      tracesSampleRate: read('SENTRY_TRACES_SAMPLE_RATE', rate, verbose ? 1 : 0.1),
      replaysSessionSampleRate: read('SENTRY_REPLAYS_SESSION_SAMPLE_RATE', rate, replayDefaults.session),
      replaysOnErrorSampleRate: read('SENTRY_REPLAYS_ON_ERROR_SAMPLE_RATE', rate, replayDefaults.onError),
      tracing: read('SENTRY_TRACING', z.enum(SENTRY_TRACING_MODES, { message: 'expected kit or full' }), 'kit' as SentryTracing),
    })
  })()

  // The same computation as the build's source-map upload (shared/release.ts).
  const { serviceName, release } = releaseOf({ raw, read }, build)

  const internalDomains = (raw('POSTHOG_INTERNAL_DOMAINS') ?? '')
    .split(',')
    .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
    .filter(Boolean)

  const config: ObservabilityConfig = freeze({
    posthog,
    sentry,
    release,
    serviceName,
    identifyPii: identify,
    replayMaskSelector: read('POSTHOG_REPLAY_MASK_SELECTOR', cssSelector, ''),
    internalDomains: freeze(internalDomains),
    slowRequestThresholdMs: read('SLOW_REQUEST_THRESHOLD_MS', positiveInt, DEFAULT_SLOW_REQUEST_THRESHOLD_MS),
    dev,
    local,
    trustedProxyHops: read(
      'OBSERVABILITY_TRUSTED_PROXY_HOPS',
      z.coerce
        .number({ message: 'expected a whole number' })
        .int('expected a whole number')
        .min(0, `expected a number from 0 to ${MAX_TRUSTED_PROXY_HOPS}`)
        .max(MAX_TRUSTED_PROXY_HOPS, `expected a number from 0 to ${MAX_TRUSTED_PROXY_HOPS}`),
      0,
      '0 (no client address is forwarded)',
    ),
    localAllowRemote: local && read('OBSERVABILITY_LOCAL_ALLOW_REMOTE', booleanish, false),
  })
  return { config, warnings: freeze(warnings) }
}

/** A selector we splice into masking config: no braces or quotes that could break out of it. */
const cssSelector = z
  .string()
  .max(500, 'expected at most 500 characters')
  .regex(/^[^{}<>`\\]+$/, 'expected a CSS selector list')

function truncateForWarning(v: string): string {
  return v.length > 40 ? `${v.slice(0, 12)}…` : v
}

/** Warnings must not print a DSN's key in full to shared logs. */
function redactDsn(v: string): string {
  return truncateForWarning(v.replace(/\/\/[^@/]*@/, '//***@'))
}

function freeze<T>(o: T): T {
  return Object.freeze(o)
}
