import { parseCookie } from 'cookie'
import posthog from 'posthog-js/dist/module.slim.js'
import { vi } from 'vitest'
import { BROWSER_CONFIG_COOKIE, encodeBrowserConfig, type BrowserConfig } from '@/lib/observability/shared/browser-config'
import type { IdentifyPii } from '@/lib/observability/shared/config'
import { observabilityPageState, resetObservabilityInPage } from 'nextjs-observability-kit/testing'

/**
 * Browser-side test helpers: the `__ox` cookie the middleware would set, and a clean page between
 * cases. The SDKs are the real posthog-js and @sentry/browser; their network goes to relative
 * `/_ox/...` URLs that jsdom cannot reach, so nothing leaves the test.
 */
export function browserConfig(overrides: Partial<BrowserConfig> & { pii?: IdentifyPii } = {}): BrowserConfig {
  return {
    rid: 'req-test-1',
    release: 'kit-test@1.0.0',
    pii: 'email',
    internal: ['example.com'],
    mask: '',
    ph: { key: 'phc_testkey1234567890', api: '/_ox/p', ui: 'https://eu.posthog.com', env: 'test', replay: false, surveys: false, debug: false },
    se: {
      dsn: 'http://testkey@127.0.0.1:9/42',
      tunnel: '/_ox/s',
      env: 'test',
      sampleRate: 1,
      tracesSampleRate: 0,
      replaysSessionSampleRate: 0,
      replaysOnErrorSampleRate: 0,
    },
    ...overrides,
  }
}

/** Sets the cookie as the middleware would on a document response. */
export function setConfigCookie(config: BrowserConfig): void {
  document.cookie = `${BROWSER_CONFIG_COOKIE}=${encodeBrowserConfig(config)}; Path=/`
}

/** A fresh page: no kit state, no cookies, posthog-js forgotten its identity. */
export function resetPage(): void {
  resetObservabilityInPage()
  for (const name of Object.keys(parseCookie(document.cookie))) document.cookie = `${name}=; Path=/; Max-Age=0`
  if (posthog.__loaded) posthog.reset()
  localStorage.clear()
  sessionStorage.clear()
}

/** Resolves once every enabled SDK has loaded (the kit loads them after `load`, when idle). */
export async function waitForSdks(): Promise<void> {
  await vi.waitFor(
    () => {
      const { phase } = observabilityPageState()
      if (phase !== 'ready') throw new Error(`kit is ${phase}`)
    },
    { timeout: 10_000, interval: 20 },
  )
}
