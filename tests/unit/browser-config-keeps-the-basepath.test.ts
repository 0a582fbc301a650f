import { describe, expect, it } from 'vitest'
import { parseConfig } from '@/lib/observability/shared/config'
import { decodeBrowserConfig, encodeBrowserConfig, toBrowserConfig, type BrowserConfig } from '@/lib/observability/shared/browser-config'

/**
 * An app served under `basePath` has the kit's routes under it too (`/shop/_ox/p`): the browser
 * config must send the SDKs there, and a forged cookie must not send them anywhere else.
 */
function browserConfig(basePath?: string): BrowserConfig {
  const env = {
    NODE_ENV: 'production',
    POSTHOG_API_KEY: 'phc_Q2xH7vJ0p3kLmN8sT5wY1zA4bC6dE9fG0hI2jK4lM6n',
    SENTRY_DSN: 'https://0123456789abcdef@o1.ingest.sentry.io/42',
  }
  const { config } = parseConfig(env, { dev: false, packageName: 'shop', packageVersion: '1.4.0' })
  const browser = toBrowserConfig(config, 'req-1', basePath)
  if (!browser) throw new Error('both backends are off')
  return browser
}

describe('the browser config keeps the app basePath', () => {
  it('sends both SDKs under the basePath, and survives the wire', () => {
    const config = browserConfig('/shop')
    expect(config.ph?.api).toBe('/shop/_ox/p')
    expect(config.se?.tunnel).toBe('/shop/_ox/s')
    const wire = encodeBrowserConfig(config)
    expect(wire).toContain('b=/shop')
    expect(decodeBrowserConfig(wire)).toEqual(config)
  })

  it('adds nothing to the wire without a basePath', () => {
    const config = browserConfig()
    expect(config.ph?.api).toBe('/_ox/p')
    expect(encodeBrowserConfig(config)).not.toMatch(/(^|&)b=/)
    expect(decodeBrowserConfig(encodeBrowserConfig(config))).toEqual(config)
  })

  it.each(['//evil.example', 'https://evil.example', '/shop/../x', 'shop', '/a b', '/'])('refuses a forged basePath %j', (base) => {
    const wire = encodeBrowserConfig(browserConfig()).replace('~', `~b=${encodeURIComponent(base)}&`)
    expect(decodeBrowserConfig(wire)).toBeNull()
  })
})
