import { describe, expect, it } from 'vitest'
import { parseConfig } from '@/lib/observability/shared/config'
import { decodeBrowserConfig, encodeBrowserConfig, toBrowserConfig, type BrowserConfig } from '@/lib/observability/shared/browser-config'

/** The browser config the middleware would hand a document, from a server environment. */
function fromEnv(env: Record<string, string>, rid = 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff'): BrowserConfig {
  const { config, warnings } = parseConfig({ NODE_ENV: 'production', ...env }, { dev: false, packageName: 'shop', packageVersion: '1.4.0' })
  expect(warnings).toEqual([])
  const browser = toBrowserConfig(config, rid)
  if (!browser) throw new Error('both backends are off')
  return browser
}

const PRODUCTION = {
  POSTHOG_API_KEY: 'phc_Q2xH7vJ0p3kLmN8sT5wY1zA4bC6dE9fG0hI2jK4lM6n',
  SENTRY_DSN: 'https://0123456789abcdef0123456789abcdef@o4506123456789012.ingest.de.sentry.io/4506123456789013',
  APP_ENV: 'production',
}

const CONFIGS: Record<string, Record<string, string>> = {
  'both backends, defaults': PRODUCTION,
  'PostHog alone': { POSTHOG_API_KEY: PRODUCTION.POSTHOG_API_KEY },
  'Sentry alone': { SENTRY_DSN: PRODUCTION.SENTRY_DSN, SENTRY_ENVIRONMENT: 'staging' },
  'every setting away from its default': {
    ...PRODUCTION,
    POSTHOG_HOST: 'https://us.i.posthog.com',
    POSTHOG_ENVIRONMENT: 'prod/eu',
    SENTRY_ENVIRONMENT: 'prod:eu-1',
    POSTHOG_IDENTIFY_PII: 'none',
    POSTHOG_INTERNAL_DOMAINS: 'example.com,corp.example.org',
    POSTHOG_REPLAY_MASK_SELECTOR: '[data-private="yes"], .card #cvc, a[href^=\'mailto:\'] b',
    POSTHOG_REPLAY: 'false',
    POSTHOG_DEBUG: 'true',
    SENTRY_SAMPLE_RATE: '0.25',
    SENTRY_TRACES_SAMPLE_RATE: '0',
    SENTRY_REPLAYS_SESSION_SAMPLE_RATE: '0.01',
    SENTRY_REPLAYS_ON_ERROR_SAMPLE_RATE: '0.5',
    SERVICE_NAME: 'shop:web/eu-1',
    RELEASE_SHA: 'v2.0.0+build.7',
  },
  'a self-hosted PostHog and a Sentry DSN with a port and path': {
    POSTHOG_API_KEY: 'phc_selfhosted',
    POSTHOG_HOST: 'http://posthog.internal:8000',
    SENTRY_DSN: 'http://key@[::1]:9000/sentry/7',
    POSTHOG_IDENTIFY_PII: 'full',
  },
}

describe('the browser config reads back exactly as the server wrote it', () => {
  it.each(Object.entries(CONFIGS))('%s', (_name, env) => {
    const config = fromEnv(env)
    expect(decodeBrowserConfig(encodeBrowserConfig(config))).toEqual(config)
  })

  it('keeps ids with every character a request id may hold', () => {
    const config = fromEnv(PRODUCTION, 'lb:01.AZ_az-9')
    expect(decodeBrowserConfig(encodeBrowserConfig(config))?.rid).toBe('lb:01.AZ_az-9')
  })
})

describe('the encoded value is safe in both carriers', () => {
  // RFC 6265 cookie-octet; it also leaves out '"' and '\', so it is a valid quoted-string body.
  const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/

  it.each(Object.entries(CONFIGS))('%s', (_name, env) => {
    expect(encodeBrowserConfig(fromEnv(env))).toMatch(COOKIE_OCTETS)
  })
})

describe('the entry every page view carries stays small', () => {
  it('carries little beyond the values the browser cannot know: id, release, environment, key and DSN', () => {
    const config = fromEnv({ ...PRODUCTION, RELEASE_SHA: '3f2a9c1e0b7d4f6a8c5e2d1b0a9f8e7d6c5b4a39' })
    const value = encodeBrowserConfig(config)
    const needed = [config.rid, config.release, config.ph?.env, config.ph?.key, config.se?.dsn].join('').length
    // `~`, `r=`, `&e=`, `&k=`, `&dsn=`: 14 characters of framing, nothing else.
    expect(value.length - needed).toBe(14)
    // Nothing the decoder can restore on its own travels: no proxy paths, no default settings.
    expect(value).not.toMatch(/_ox|email|eu\.posthog\.com|=0\.1\b|rp=|db=|sr=|rs=|re=/)
  })
})

describe('anything else is refused, not half-read', () => {
  const good = encodeBrowserConfig(fromEnv(PRODUCTION))
  const [rid, settings] = [good.slice(0, good.indexOf('~')), good.slice(good.indexOf('~') + 1)]

  it.each([
    ['nothing', ''],
    ['no request id', `~${settings}`],
    ['no separator', settings],
    ['a malformed request id', `has space~${settings}`],
    ['a request id with markup', `<b>~${settings}`],
    ['neither backend', `${rid}~r=shop%401.4.0&e=production`],
    ['no release', `${rid}~${settings.replace(/(^|&)r=[^&]*/, '')}`],
    ['no environment', `${rid}~${settings.replace(/(^|&)e=[^&]*/, '')}`],
    ['an unknown identify mode', `${good}&p=everything`],
    ['a rate above 1', `${good}&tr=1.5`],
    ['a rate that is not a number', `${good}&sr=half`],
    ['an empty rate', `${good}&rs=`],
    ['a flag that is not 1 or 0', `${good}&rp=yes`],
    ['the earlier base64 JSON format', `${rid}~eyJ2IjoxLCJyZWxlYXNlIjoiYXBwQDAuMC4wIn0`],
    ['a value over 8 KB', `${good}&m=${'x'.repeat(8192)}`],
  ])('%s', (_name, value) => {
    expect(decodeBrowserConfig(value)).toBeNull()
  })

  it('reads broken percent-escapes as text instead of throwing', () => {
    expect(decodeBrowserConfig(`${good}&m=%E0%A4%zz`)?.mask).toBe('\uFFFD%zz')
  })

  it('ignores settings a newer server adds', () => {
    expect(decodeBrowserConfig(`${good}&zz=1`)).toEqual(decodeBrowserConfig(good))
  })
})
