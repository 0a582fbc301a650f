import type { IdentifyPii, ObservabilityConfig } from './config'
import { POSTHOG_PROXY_PATH, SENTRY_TUNNEL_PATH } from './routes'

/**
 * What the browser needs to start the SDKs, computed on the server at request time so that one
 * build serves every environment (no `NEXT_PUBLIC_*`). Only the PostHog project key and the
 * Sentry DSN are in here: both are public by design (CONTRACT §8).
 */
export interface BrowserConfig {
  readonly v: 1
  /** The document's request id (CONTRACT §3). */
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

export function toBrowserConfig(config: ObservabilityConfig, rid: string): BrowserConfig | null {
  const { posthog: ph, sentry: se } = config
  if (!ph.enabled && !se.enabled) return null
  return {
    v: 1,
    rid,
    release: config.release,
    pii: config.identifyPii,
    internal: config.internalDomains,
    mask: config.replayMaskSelector,
    ...(ph.enabled
      ? {
          ph: {
            key: ph.apiKey,
            api: POSTHOG_PROXY_PATH,
            ui: uiHost(ph.host),
            env: ph.environment,
            replay: ph.replay,
            debug: ph.debug,
          },
        }
      : {}),
    ...(se.enabled
      ? {
          se: {
            dsn: se.dsn,
            tunnel: SENTRY_TUNNEL_PATH,
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
 * `<request id>~<base64url(JSON of the rest)>`: the per-request part stays outside the encoded
 * blob, so the middleware can encode the config once per process (`encodedConfigPart`) and only
 * prepend the id on each document request. `~` cannot occur in a request id.
 */
export function encodeBrowserConfig(config: BrowserConfig): string {
  const { rid, ...rest } = config
  return `${rid}~${base64url(JSON.stringify(rest))}`
}

/** The encoded, request-independent part of a cookie value; see `encodeBrowserConfig`. */
export function encodedConfigPart(config: Omit<BrowserConfig, 'rid'>): string {
  return base64url(JSON.stringify(config))
}

/** Returns null for anything that is not a config we wrote: cookies are user-controlled input. */
export function decodeBrowserConfig(value: string | undefined | null): BrowserConfig | null {
  if (!value || value.length > 8192) return null
  const cut = value.indexOf('~')
  if (cut < 1) return null
  try {
    const bin = atob(value.slice(cut + 1).replace(/-/g, '+').replace(/_/g, '/'))
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0))
    const parsed = { ...(JSON.parse(new TextDecoder().decode(bytes)) as Omit<BrowserConfig, 'rid'>), rid: value.slice(0, cut) } as BrowserConfig
    return parsed.v === 1 && /^[A-Za-z0-9._:-]{1,128}$/.test(parsed.rid) ? parsed : null
  } catch {
    return null
  }
}

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
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
