import { BROWSER_CONFIG_COOKIE, decodeBrowserConfig, type BrowserConfig } from '../shared/browser-config'
import { getKit } from './kit'

/**
 * The browser's runtime config, from the `__ox` cookie the middleware set on this document's
 * response. Read once per page and then deleted: a later document (another tab, a reload) gets a
 * fresh cookie with its own request id, and a stale one must never be mistaken for it.
 *
 * Returns null when the server sent none (both backends off), on the server, and for anything
 * that does not decode: the cookie is user-controlled input.
 *
 * @example
 * const config = readBrowserConfig()
 * if (config?.ph) console.log('PostHog is on, request', config.rid)
 */
export function readBrowserConfig(): BrowserConfig | null {
  const kit = getKit()
  if (kit.config !== undefined) return kit.config
  if (typeof document === 'undefined') return null
  const raw = readCookie(document.cookie, BROWSER_CONFIG_COOKIE)
  kit.config = decodeBrowserConfig(raw)
  if (raw !== undefined) {
    // Same attributes as the middleware's Set-Cookie, or the browser keeps the original.
    document.cookie = `${BROWSER_CONFIG_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax`
  }
  return kit.config
}

/** One cookie's raw value from a `document.cookie` string. */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}
