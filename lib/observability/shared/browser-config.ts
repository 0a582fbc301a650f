import type { ObservabilityConfig } from './config.js'
import { POSTHOG_PROXY_PATH, SENTRY_TUNNEL_PATH } from './routes.js'
import { IDENTIFY_PII_MODES, type IdentifyPii } from './user.js'

/**
 * What the browser needs to start the SDKs, computed on the server at request time so that one
 * build serves every environment (no `NEXT_PUBLIC_*`). Only the PostHog project key and the
 * Sentry DSN are in here: both are public by design (docs/privacy.md).
 */
export interface BrowserConfig {
  /** The document's request id, which the browser's `$pageview` carries as `request_id`. */
  readonly rid: string
  readonly release: string
  readonly pii: IdentifyPii
  readonly internal: readonly string[]
  /** Extra replay mask selector, for both backends' replays. */
  readonly mask: string
  readonly ph?: {
    readonly key: string
    /** Same-origin reverse proxy path. */
    readonly api: string
    /** PostHog's app host, for links in the toolbar and debug output. */
    readonly ui: string
    readonly env: string
    readonly replay: boolean
    /** posthog-js loads its surveys (`POSTHOG_SURVEYS`). */
    readonly surveys: boolean
    readonly debug: boolean
  }
  readonly se?: {
    readonly dsn: string
    /** Same-origin tunnel path. */
    readonly tunnel: string
    readonly env: string
    readonly sampleRate: number
    readonly tracesSampleRate: number
    readonly replaysSessionSampleRate: number
    readonly replaysOnErrorSampleRate: number
  }
}

/**
 * Name of the `Server-Timing` entry that carries the browser config on a document response
 * (`Server-Timing: ox;desc="<value>"`); the page reads it from its navigation timing entry.
 */
export const BROWSER_CONFIG_TIMING = 'ox'

/**
 * Cookie that carries the same value where a browser may hide `Server-Timing` from scripts
 * (plain HTTP on a non-local host, Safari before 16.4); read once, then deleted. See
 * `browserCanReadServerTiming`.
 */
export const BROWSER_CONFIG_COOKIE = '__ox'

/**
 * `basePath`: the app's own (`/shop`), which every route of it lives under, the kit's included:
 * the browser then sends to `/shop/_ox/p` and `/shop/_ox/s`.
 */
export function toBrowserConfig(config: ObservabilityConfig, rid: string, basePath = ''): BrowserConfig | null {
  const { posthog: ph, sentry: se } = config
  if (!ph.enabled && !se.enabled) return null
  return {
    rid,
    release: config.release,
    pii: config.identifyPii,
    internal: config.internalDomains,
    mask: config.replayMaskSelector,
    ...(ph.enabled
      ? {
          ph: {
            key: ph.apiKey,
            api: `${basePath}${POSTHOG_PROXY_PATH}`,
            ui: uiHost(ph.host),
            env: ph.environment,
            replay: ph.replay,
            surveys: ph.surveys,
            debug: ph.debug,
          },
        }
      : {}),
    ...(se.enabled
      ? {
          se: {
            dsn: se.dsn,
            tunnel: `${basePath}${SENTRY_TUNNEL_PATH}`,
            env: se.environment,
            sampleRate: se.sampleRate,
            tracesSampleRate: se.tracesSampleRate,
            replaysSessionSampleRate: se.replaysSessionSampleRate,
            replaysOnErrorSampleRate: se.replaysOnErrorSampleRate,
          },
        }
      : {}),
  }
}

/** `https://eu.i.posthog.com` → `https://eu.posthog.com`; self-hosted hosts are their own UI. */
export function uiHost(apiHost: string): string {
  return apiHost.replace(/^(https?:\/\/)(us|eu)\.i\.posthog\.com$/i, '$1$2.posthog.com')
}

/**
 * What a decoder assumes for a setting the encoding leaves out. The wire's own defaults, not the
 * config schema's (which the browser bundle must not import): changing one side of those never
 * changes what a value means.
 */
const WIRE_DEFAULTS = {
  pii: 'email',
  ui: 'https://eu.posthog.com',
  replay: true,
  surveys: false,
  debug: false,
  sampleRate: 1,
  tracesSampleRate: 0.1,
  replaysSessionSampleRate: 0,
  // Sentry's replay is off by default while PostHog records (one recorder per page).
  replaysOnErrorSampleRate: 0,
} as const

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/
/** A basePath: plain path segments, never `//` (which would name another host), `.` or `..`. */
const BASE_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._~-]+){1,8}$/
const MAX_ENCODED_CHARS = 8192

/**
 * `<request id>~<settings>`: the settings as a query string with short names, defaults left
 * out, and `:`, `/`, `@` left readable. Every page view carries this in a header that Next's
 * Edge runtime re-validates character by character, so its length is the kit's main cost on a
 * static page, and this form is far shorter than base64 JSON (docs/decisions/011). Every
 * character is valid in a cookie value and inside a quoted `Server-Timing` description, and it
 * reads plainly in devtools. The per-request id stays outside, so the settings are encoded once per process
 * (`encodedConfigPart`). `~` cannot occur in a request id.
 *
 * @example
 * encodeBrowserConfig(config)
 * // 'req-1~r=shop@1.4.0&e=production&k=phc_abc…&dsn=https://key@o1.ingest.sentry.io/42'
 */
export function encodeBrowserConfig(config: BrowserConfig): string {
  const { rid, ...rest } = config
  return `${rid}~${encodedConfigPart(rest)}`
}

/** The request-independent part of an encoded config; see `encodeBrowserConfig`. */
export function encodedConfigPart(config: Omit<BrowserConfig, 'rid'>): string {
  const { ph, se } = config
  const env = ph?.env ?? se?.env ?? ''
  const fields: [string, string | number | boolean | undefined][] = [
    ['r', config.release],
    ['e', env],
    ['se', se && se.env !== env ? se.env : undefined],
    ['p', config.pii !== WIRE_DEFAULTS.pii ? config.pii : undefined],
    ['in', config.internal.length ? config.internal.join(',') : undefined],
    ['m', config.mask || undefined],
    ['b', basePathOf(config) || undefined],
    ['k', ph?.key],
    ['ui', ph && ph.ui !== WIRE_DEFAULTS.ui ? ph.ui : undefined],
    ['rp', ph && ph.replay !== WIRE_DEFAULTS.replay ? ph.replay : undefined],
    ['sv', ph && ph.surveys !== WIRE_DEFAULTS.surveys ? ph.surveys : undefined],
    ['db', ph && ph.debug !== WIRE_DEFAULTS.debug ? ph.debug : undefined],
    ['dsn', se?.dsn],
    ['sr', nonDefault(se?.sampleRate, WIRE_DEFAULTS.sampleRate)],
    ['tr', nonDefault(se?.tracesSampleRate, WIRE_DEFAULTS.tracesSampleRate)],
    ['rs', nonDefault(se?.replaysSessionSampleRate, WIRE_DEFAULTS.replaysSessionSampleRate)],
    ['re', nonDefault(se?.replaysOnErrorSampleRate, WIRE_DEFAULTS.replaysOnErrorSampleRate)],
  ]
  return fields
    .filter((field): field is [string, string | number | boolean] => field[1] !== undefined)
    .map(([name, value]) => `${name}=${wireText(typeof value === 'boolean' ? (value ? '1' : '0') : String(value))}`)
    .join('&')
}

/** The app's basePath: what precedes the kit's own paths in the proxy and tunnel paths. */
function basePathOf({ ph, se }: Omit<BrowserConfig, 'rid'>): string {
  if (ph?.api.endsWith(POSTHOG_PROXY_PATH)) return ph.api.slice(0, -POSTHOG_PROXY_PATH.length)
  if (se?.tunnel.endsWith(SENTRY_TUNNEL_PATH)) return se.tunnel.slice(0, -SENTRY_TUNNEL_PATH.length)
  return ''
}

function nonDefault(value: number | undefined, fallback: number): number | undefined {
  return value === undefined || value === fallback ? undefined : value
}

/** Percent-encoding that leaves `:`, `/` and `@` as they are: all three are cookie- and quoted-string-safe. */
function wireText(value: string): string {
  return encodeURIComponent(value).replace(/%(?:3A|2F|40)/g, (escape) => decodeURIComponent(escape))
}

/**
 * Returns null for anything that is not a config we wrote, or that names neither backend:
 * both carriers are user-controlled input. Settings a newer encoder adds are ignored.
 */
export function decodeBrowserConfig(value: string | undefined | null): BrowserConfig | null {
  if (!value || value.length > MAX_ENCODED_CHARS) return null
  const cut = value.indexOf('~')
  const rid = value.slice(0, cut)
  if (cut < 1 || !REQUEST_ID.test(rid)) return null
  // Never throws: malformed percent-escapes are kept as they are.
  const params = new URLSearchParams(value.slice(cut + 1))
  const release = params.get('r')
  const env = params.get('e')
  const pii = params.get('p') ?? WIRE_DEFAULTS.pii
  const base = params.get('b') ?? ''
  if (release === null || env === null || !isPiiMode(pii) || (base && !BASE_PATH.test(base))) return null
  const ph = postHogPart(params, env, base)
  const se = sentryPart(params, env, base)
  if (ph === null || se === null || (!ph && !se)) return null
  const internal = params.get('in')
  return {
    rid,
    release,
    pii,
    internal: internal ? internal.split(',') : [],
    mask: params.get('m') ?? '',
    ...(ph ? { ph } : {}),
    ...(se ? { se } : {}),
  }
}

type Part<T> = T | undefined | null

/** PostHog's settings; undefined when it is off, null when a value is malformed. */
function postHogPart(params: URLSearchParams, env: string, base: string): Part<NonNullable<BrowserConfig['ph']>> {
  const key = params.get('k')
  if (!key) return undefined
  const replay = wireFlag(params.get('rp'), WIRE_DEFAULTS.replay)
  const surveys = wireFlag(params.get('sv'), WIRE_DEFAULTS.surveys)
  const debug = wireFlag(params.get('db'), WIRE_DEFAULTS.debug)
  if (replay === null || surveys === null || debug === null) return null
  return { key, api: `${base}${POSTHOG_PROXY_PATH}`, ui: params.get('ui') ?? WIRE_DEFAULTS.ui, env, replay, surveys, debug }
}

/** Sentry's settings; undefined when it is off, null when a value is malformed. */
function sentryPart(params: URLSearchParams, env: string, base: string): Part<NonNullable<BrowserConfig['se']>> {
  const dsn = params.get('dsn')
  if (!dsn) return undefined
  const sampleRate = wireRate(params.get('sr'), WIRE_DEFAULTS.sampleRate)
  const tracesSampleRate = wireRate(params.get('tr'), WIRE_DEFAULTS.tracesSampleRate)
  const replaysSessionSampleRate = wireRate(params.get('rs'), WIRE_DEFAULTS.replaysSessionSampleRate)
  const replaysOnErrorSampleRate = wireRate(params.get('re'), WIRE_DEFAULTS.replaysOnErrorSampleRate)
  if (sampleRate === null || tracesSampleRate === null || replaysSessionSampleRate === null || replaysOnErrorSampleRate === null) return null
  return {
    dsn,
    tunnel: `${base}${SENTRY_TUNNEL_PATH}`,
    env: params.get('se') ?? env,
    sampleRate,
    tracesSampleRate,
    replaysSessionSampleRate,
    replaysOnErrorSampleRate,
  }
}

function isPiiMode(value: string): value is IdentifyPii {
  return (IDENTIFY_PII_MODES as readonly string[]).includes(value)
}

/** `1`/`0`, the default when absent, null (reject) for anything else. */
function wireFlag(value: string | null, fallback: boolean): boolean | null {
  if (value === null) return fallback
  return value === '1' ? true : value === '0' ? false : null
}

/** A rate in [0, 1], the default when absent, null (reject) for anything else. */
function wireRate(value: string | null, fallback: number): number | null {
  if (value === null) return fallback
  const n = value.trim() === '' ? NaN : Number(value)
  return n >= 0 && n <= 1 ? n : null
}

/**
 * Whether the page a document request opens is a secure context, where every browser exposes
 * `Server-Timing` to scripts (Firefox does not on plain HTTP). HTTPS, as the request or a
 * TLS-terminating proxy (`X-Forwarded-Proto`) says, or a loopback host (`localhost`,
 * `*.localhost`, 127.0.0.0/8, `[::1]`), which browsers treat as secure even over HTTP; and not
 * for a WebKit older than `serverTiming` itself. When in doubt this says no, and the middleware
 * falls back to the cookie.
 */
export function browserCanReadServerTiming(url: URL, headers: Headers): boolean {
  return opensSecureContext(url, headers) && !predatesServerTiming(headers.get('user-agent'))
}

function opensSecureContext(url: URL, headers: Headers): boolean {
  const forwarded = headers.get('x-forwarded-proto')
  const proto = forwarded ? (forwarded.split(',', 1)[0] ?? '').trim().toLowerCase() : url.protocol.slice(0, -1)
  if (proto === 'https') return true
  if (proto !== 'http') return false
  const host = (headers.get('x-forwarded-host')?.split(',', 1)[0] ?? headers.get('host') ?? url.host).trim().toLowerCase()
  return isLoopbackHost(host)
}

/**
 * WebKit exposes `serverTiming` from 16.4 (March 2023): older Safari, and every browser on older
 * iOS, would see no config at all, so they get the cookie. Read from the user agent, the only
 * signal a document request carries; a wrong guess costs the cookie, never the config.
 */
function predatesServerTiming(userAgent: string | null): boolean {
  if (!userAgent) return false
  const ios = /\b(?:iPhone|iPad|iPod)\b.*? OS (\d+)_(\d+)/.exec(userAgent)
  if (ios) return olderThan16_4(ios[1], ios[2])
  if (/Chrome\/|Chromium\/|Edg\/|Firefox\//.test(userAgent)) return false
  const safari = /\bVersion\/(\d+)\.(\d+).*\bSafari\//.exec(userAgent)
  return safari ? olderThan16_4(safari[1], safari[2]) : false
}

function olderThan16_4(major = '0', minor = '0'): boolean {
  const m = Number(major)
  return m < 16 || (m === 16 && Number(minor) < 4)
}

function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '')
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name)
}

/** The `Server-Timing` entry for a config value: a quoted `desc`, as ids may hold `:` (not a token character). */
export function browserConfigTimingEntry(value: string): string {
  return `${BROWSER_CONFIG_TIMING};desc="${value}"`
}
