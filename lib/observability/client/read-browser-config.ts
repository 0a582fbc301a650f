import { parseCookie } from 'cookie'
import { BROWSER_CONFIG_COOKIE, BROWSER_CONFIG_TIMING, decodeBrowserConfig, type BrowserConfig } from '../shared/browser-config.js'
import { getKit } from './kit.js'

/**
 * The browser's runtime config, as the middleware handed it to this document: from the `ox`
 * entry of the page's own `Server-Timing`, or, where the middleware had to fall back to it, from
 * the `__ox` cookie. Read once per page. The navigation entry belongs to this document alone, so
 * another tab loading at the same instant cannot swap request ids; the cookie is deleted once
 * read, so a stale one is never mistaken for a later document's.
 *
 * Returns null when the server sent none (both backends off), on the server, and for anything
 * that does not decode: both carriers are user-controlled input.
 *
 * @example
 * const config = readBrowserConfig()
 * if (config?.ph) console.log('PostHog is on, request', config.rid)
 */
export function readBrowserConfig(): BrowserConfig | null {
  const page = getKit().page
  if (page.config !== undefined) return page.config
  if (typeof document === 'undefined') return null
  // Kept percent-encoded: the value is the same query string `Server-Timing` carries, which
  // decodeBrowserConfig decodes itself.
  const cookie = parseCookie(document.cookie, { decode: asIs })[BROWSER_CONFIG_COOKIE]
  if (cookie !== undefined) {
    // Same attributes as the middleware's Set-Cookie, or the browser keeps the original.
    document.cookie = `${BROWSER_CONFIG_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax`
  }
  page.config = decodeBrowserConfig(readServerTiming(BROWSER_CONFIG_TIMING) ?? cookie)
  return page.config
}

/** The description of a named entry in this document's `Server-Timing`, if scripts may see it. */
function readServerTiming(name: string): string | undefined {
  try {
    const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[]
    return navigation?.serverTiming?.find((entry) => entry.name === name)?.description || undefined
  } catch {
    return undefined
  }
}

function asIs(value: string): string {
  return value
}
