import { describe, expect, it, vi } from 'vitest'
import { parseConfig } from '@/lib/observability/shared/config'

const prod = { dev: false, packageName: 'shop', packageVersion: '1.2.3' }
const KEY = 'phc_abcdefghijklmnop'

describe('config is off by default and parsed once into a frozen object', () => {
  it('turns nothing on without keys', () => {
    const { config, warnings } = parseConfig({}, prod)
    expect(config.posthog).toEqual({ enabled: false, reason: 'unset' })
    expect(config.sentry).toEqual({ enabled: false, reason: 'unset' })
    expect(warnings).toEqual([])
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.posthog)).toBe(true)
  })

  it('treats blank values as unset', () => {
    const { config, warnings } = parseConfig({ POSTHOG_API_KEY: '  ', SENTRY_DSN: '' }, prod)
    expect(config.posthog.enabled).toBe(false)
    expect(config.sentry.enabled).toBe(false)
    expect(warnings).toEqual([])
  })

  it('applies the documented defaults when keys are set', () => {
    const { config } = parseConfig({ POSTHOG_API_KEY: KEY, SENTRY_DSN: 'https://abc123@o1.ingest.sentry.io/42' }, prod)
    expect(config.posthog).toMatchObject({
      enabled: true,
      host: 'https://eu.i.posthog.com',
      replay: true,
      llmPayloads: false,
      llmPayloadMaxChars: 30000,
      environment: 'unknown',
      debug: false,
    })
    // One recorder per page: PostHog's replay is on, so Sentry's is off unless asked for.
    expect(config.sentry).toMatchObject({ enabled: true, sampleRate: 1, tracesSampleRate: 0.1, replaysSessionSampleRate: 0, replaysOnErrorSampleRate: 0 })
    expect(config.posthog).toMatchObject({ surveys: false })
    expect(config.identifyPii).toBe('email')
    expect(config.slowRequestThresholdMs).toBe(5000)
    expect(config.release).toBe('shop@1.2.3')
  })
})

describe('environment and release follow docs/configuration.md', () => {
  const keys = { POSTHOG_API_KEY: KEY, SENTRY_DSN: 'https://abc123@o1.ingest.sentry.io/42' }
  it('prefers each backend override, then APP_ENV, then VERCEL_ENV, then local under next dev', () => {
    expect(parseConfig({ ...keys, POSTHOG_ENVIRONMENT: 'ph-env', SENTRY_ENVIRONMENT: 'se-env', APP_ENV: 'staging' }, prod).config).toMatchObject({
      posthog: { environment: 'ph-env' },
      sentry: { environment: 'se-env' },
    })
    expect(parseConfig({ ...keys, APP_ENV: 'staging', VERCEL_ENV: 'preview' }, prod).config.posthog).toMatchObject({ environment: 'staging' })
    expect(parseConfig({ ...keys, VERCEL_ENV: 'preview' }, prod).config.sentry).toMatchObject({ environment: 'preview' })
    expect(parseConfig(keys, { ...prod, dev: true }).config.sentry).toMatchObject({ environment: 'local', tracesSampleRate: 1 })
  })

  it('samples every trace in local and development, a tenth elsewhere', () => {
    expect(parseConfig({ ...keys, APP_ENV: 'development' }, prod).config.sentry).toMatchObject({ tracesSampleRate: 1 })
    expect(parseConfig({ ...keys, APP_ENV: 'production' }, prod).config.sentry).toMatchObject({ tracesSampleRate: 0.1 })
  })

  it('builds the release from SERVICE_NAME and the first sha that is set', () => {
    expect(parseConfig({ RELEASE_SHA: 'aaa', VERCEL_GIT_COMMIT_SHA: 'bbb' }, prod).config.release).toBe('shop@aaa')
    expect(parseConfig({ VERCEL_GIT_COMMIT_SHA: 'bbb', RAILWAY_GIT_COMMIT_SHA: 'ccc' }, prod).config.release).toBe('shop@bbb')
    expect(parseConfig({ RAILWAY_GIT_COMMIT_SHA: 'ccc', SERVICE_NAME: 'api' }, prod).config.release).toBe('api@ccc')
  })
})

describe('bad input warns once, names the variable and falls back', () => {
  it('refuses a personal or secret key and explains why', () => {
    for (const key of ['phx_abcdefghijklmnopqrstuvwxyz', 'phs_abcdefghijklmnopqrstuvwxyz']) {
      const { config, warnings } = parseConfig({ POSTHOG_API_KEY: key }, prod)
      expect(config.posthog).toEqual({ enabled: false, reason: 'invalid' })
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/POSTHOG_API_KEY/)
      expect(warnings[0]).toMatch(/phc_/)
      expect(warnings[0]).toMatch(/browser/)
      expect(warnings[0]).not.toContain(key)
    }
  })

  it('refuses a key that is not a project key', () => {
    const { config, warnings } = parseConfig({ POSTHOG_API_KEY: 'hello' }, prod)
    expect(config.posthog.enabled).toBe(false)
    expect(warnings[0]).toMatch(/POSTHOG_API_KEY.*not a PostHog project API key/)
  })

  it('keeps Sentry off for an invalid DSN without printing its key', () => {
    const { config, warnings } = parseConfig({ SENTRY_DSN: 'https://secretkey@sentry.example.com/not-a-project' }, prod)
    expect(config.sentry).toEqual({ enabled: false, reason: 'invalid' })
    expect(warnings[0]).toMatch(/SENTRY_DSN/)
    expect(warnings.join('')).not.toContain('secretkey')
  })

  it.each([
    ['https://abc123@o1.ingest.sentry.io/42', true],
    ['http://key@[::1]:9000/sentry/7', true],
    ['https://key:@sentry.example.com/7', true],
    // The SDK reads the leading digits of the last segment as the project id.
    ['https://key@sentry.example.com/42abc', true],
    // The SDK finds no project id after a trailing slash, and would send nothing.
    ['https://key@sentry.example.com/42/', false],
    ['ftp://key@sentry.example.com/42', false],
    ['HTTPS://key@sentry.example.com/42', false],
    ['https://sentry.example.com/42', false],
    ['https://key-with-dash@sentry.example.com/42', false],
    ['https://key@sentry.example.com', false],
    ['"https://key@sentry.example.com/42"', false],
  ])('SENTRY_DSN=%s: Sentry on is %s, as the Sentry SDK parses it', (dsn, on) => {
    // The SDK prints its own "Invalid Sentry Dsn" for strings outside its grammar.
    const sdkError = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const { config, warnings } = parseConfig({ SENTRY_DSN: dsn }, prod)
    sdkError.mockRestore()
    expect(config.sentry.enabled).toBe(on)
    if (on) expect(warnings).toEqual([])
    else expect(warnings).toEqual([expect.stringMatching(/^SENTRY_DSN=.* is not a valid DSN/)])
    expect(warnings.join('')).not.toMatch(/key-with-dash|\/\/key@/)
  })

  it.each([
    ['POSTHOG_HOST', 'not a url', 'host', 'https://eu.i.posthog.com'],
    ['POSTHOG_REPLAY', 'maybe', 'replay', true],
    ['POSTHOG_LLM_PAYLOADS', 'sure', 'llmPayloads', false],
    ['POSTHOG_LLM_PAYLOAD_MAX_CHARS', '-5', 'llmPayloadMaxChars', 30000],
    ['POSTHOG_LLM_PAYLOAD_MAX_CHARS', '99999999', 'llmPayloadMaxChars', 30000],
    ['POSTHOG_DEBUG', '2', 'debug', false],
  ] as const)('%s=%s falls back', (name, value, field, fallback) => {
    const { config, warnings } = parseConfig({ POSTHOG_API_KEY: KEY, [name]: value }, prod)
    expect(config.posthog.enabled && config.posthog[field]).toEqual(fallback)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(name)
  })

  it.each([
    ['SENTRY_SAMPLE_RATE', '1.5', 'sampleRate', 1],
    ['SENTRY_TRACES_SAMPLE_RATE', 'abc', 'tracesSampleRate', 0.1],
    ['SENTRY_REPLAYS_SESSION_SAMPLE_RATE', '-1', 'replaysSessionSampleRate', 0],
    ['SENTRY_REPLAYS_ON_ERROR_SAMPLE_RATE', 'x', 'replaysOnErrorSampleRate', 1],
  ] as const)('%s=%s falls back', (name, value, field, fallback) => {
    const { config, warnings } = parseConfig({ SENTRY_DSN: 'https://abc@o1.ingest.sentry.io/42', [name]: value }, prod)
    expect(config.sentry.enabled && config.sentry[field]).toBe(fallback)
    expect(warnings).toEqual([expect.stringContaining(name)])
  })

  it('falls back for an unsafe replay mask selector', () => {
    const { config, warnings } = parseConfig({ POSTHOG_REPLAY_MASK_SELECTOR: '.a{}' }, prod)
    expect(config.replayMaskSelector).toBe('')
    expect(warnings).toEqual([expect.stringContaining('POSTHOG_REPLAY_MASK_SELECTOR')])
    expect(parseConfig({ POSTHOG_REPLAY_MASK_SELECTOR: '.invoice, #ssn' }, prod).config.replayMaskSelector).toBe('.invoice, #ssn')
  })

  it('skips an environment or release version that no backend would accept, for the next source, with one warning each', () => {
    const keys = { POSTHOG_API_KEY: KEY, SENTRY_DSN: 'https://abc123@o1.ingest.sentry.io/42' }
    const env = parseConfig({ ...keys, APP_ENV: 'prod env\n', VERCEL_ENV: 'preview' }, prod)
    expect(env.config.posthog).toMatchObject({ environment: 'preview' })
    expect(env.config.sentry).toMatchObject({ environment: 'preview' })
    expect(env.warnings).toEqual([expect.stringMatching(/^APP_ENV=.* is invalid .*; using the next source of the environment\.$/)])
    const release = parseConfig({ RELEASE_SHA: 'v1/../../x', VERCEL_GIT_COMMIT_SHA: 'has space', RAILWAY_GIT_COMMIT_SHA: 'c0ffee' }, prod)
    expect(release.config.release).toBe('shop@c0ffee')
    expect(release.warnings).toEqual([expect.stringContaining('RELEASE_SHA='), expect.stringContaining('VERCEL_GIT_COMMIT_SHA=')])
    expect(parseConfig({ RELEASE_SHA: 'a@b' }, prod).config.release).toBe('shop@1.2.3')
    expect(parseConfig({ RELEASE_SHA: '1.4.0-rc.1+build.7' }, prod).config.release).toBe('shop@1.4.0-rc.1+build.7')
  })

  it('posts local mode to port 3000 when PORT is not a port, and says so', () => {
    const { config, warnings } = parseConfig({ OBSERVABILITY_LOCAL: '1', PORT: '3000abc' }, prod)
    expect(config.posthog).toMatchObject({ host: 'http://127.0.0.1:3000/_ox/p' })
    expect(warnings).toEqual([expect.stringMatching(/^PORT="3000abc" is invalid/)])
    expect(parseConfig({ OBSERVABILITY_LOCAL: '1', PORT: '4123' }, prod).config.posthog).toMatchObject({ host: 'http://127.0.0.1:4123/_ox/p' })
    expect(parseConfig({ PORT: 'x' }, prod).warnings).toEqual([])
  })

  it('falls back for PII mode and threshold', () => {
    const { config, warnings } = parseConfig({ POSTHOG_IDENTIFY_PII: 'everything', SLOW_REQUEST_THRESHOLD_MS: '1.5s' }, prod)
    expect(config.identifyPii).toBe('email')
    expect(config.slowRequestThresholdMs).toBe(5000)
    expect(warnings).toHaveLength(2)
  })

  it('keeps local mode to loopback clients unless OBSERVABILITY_LOCAL_ALLOW_REMOTE is a clear yes', () => {
    const local = { OBSERVABILITY_LOCAL: '1' }
    expect(parseConfig(local, prod).config).toMatchObject({ local: true, localAllowRemote: false })
    expect(parseConfig({ ...local, OBSERVABILITY_LOCAL_ALLOW_REMOTE: 'yes' }, prod).config.localAllowRemote).toBe(true)
    const { config, warnings } = parseConfig({ ...local, OBSERVABILITY_LOCAL_ALLOW_REMOTE: 'lan' }, prod)
    expect(config.localAllowRemote).toBe(false)
    expect(warnings).toEqual([expect.stringMatching(/^OBSERVABILITY_LOCAL_ALLOW_REMOTE="lan" is invalid .*; using false\.$/)])
    // Outside local mode there is nothing to open up.
    expect(parseConfig({ OBSERVABILITY_LOCAL_ALLOW_REMOTE: '1' }, prod).config.localAllowRemote).toBe(false)
  })

  it('accepts the documented forms', () => {
    const { config, warnings } = parseConfig(
      {
        POSTHOG_API_KEY: KEY,
        POSTHOG_HOST: 'https://us.i.posthog.com/',
        POSTHOG_REPLAY: 'false',
        POSTHOG_IDENTIFY_PII: 'full',
        POSTHOG_INTERNAL_DOMAINS: 'Example.com, @acme.io ,',
      },
      prod,
    )
    expect(warnings).toEqual([])
    expect(config.posthog).toMatchObject({ host: 'https://us.i.posthog.com', replay: false })
    expect(config.identifyPii).toBe('full')
    expect(config.internalDomains).toEqual(['example.com', 'acme.io'])
  })
})
