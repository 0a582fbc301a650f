import { describe, expect, it } from 'vitest'
import { parseConfig } from '@/lib/observability/shared/config'
import { decodeBrowserConfig, encodeBrowserConfig, toBrowserConfig } from '@/lib/observability/shared/browser-config'

/**
 * docs/configuration.md "Replay": one recorder per page by default, PostHog's. Sentry's replay
 * records when PostHog's is off, or when a `SENTRY_REPLAYS_*` rate is set (then as configured).
 * Surveys load only with `POSTHOG_SURVEYS`. Checked on the config and on what reaches the browser.
 */

const prod = { dev: false, packageName: 'shop', packageVersion: '1.2.3' }
const KEYS = { POSTHOG_API_KEY: 'phc_abcdefghijklmnop', SENTRY_DSN: 'https://abc123@o1.ingest.sentry.io/42' }

/** The replay and survey settings as the browser decodes them from the page's header. */
function browserSide(env: Record<string, string>) {
  const { config, warnings } = parseConfig(env, prod)
  expect(warnings).toEqual([])
  const decoded = decodeBrowserConfig(encodeBrowserConfig(toBrowserConfig(config, 'req-1')!))
  return {
    posthogReplay: decoded?.ph?.replay,
    surveys: decoded?.ph?.surveys,
    sentrySession: decoded?.se?.replaysSessionSampleRate,
    sentryOnError: decoded?.se?.replaysOnErrorSampleRate,
  }
}

describe('one recorder per page by default', () => {
  it('records with PostHog only when both backends are on', () => {
    expect(browserSide(KEYS)).toEqual({ posthogReplay: true, surveys: false, sentrySession: 0, sentryOnError: 0 })
  })

  it('hands replay to Sentry (on error, as before) when PostHog replay is off', () => {
    expect(browserSide({ ...KEYS, POSTHOG_REPLAY: 'false' })).toEqual({ posthogReplay: false, surveys: false, sentrySession: 0, sentryOnError: 1 })
  })

  it('hands replay to Sentry when PostHog is off', () => {
    expect(browserSide({ SENTRY_DSN: KEYS.SENTRY_DSN })).toMatchObject({ sentrySession: 0, sentryOnError: 1 })
  })

  it.each([
    [{ SENTRY_REPLAYS_SESSION_SAMPLE_RATE: '0.25' }, 0.25, 1],
    [{ SENTRY_REPLAYS_ON_ERROR_SAMPLE_RATE: '0.5' }, 0, 0.5],
    [{ SENTRY_REPLAYS_SESSION_SAMPLE_RATE: '1', SENTRY_REPLAYS_ON_ERROR_SAMPLE_RATE: '0' }, 1, 0],
  ])('records with Sentry as configured when %o is set, beside PostHog', (env, session, onError) => {
    expect(browserSide({ ...KEYS, ...env })).toEqual({ posthogReplay: true, surveys: false, sentrySession: session, sentryOnError: onError })
  })

  it('loads surveys only when POSTHOG_SURVEYS is on', () => {
    expect(browserSide({ ...KEYS, POSTHOG_SURVEYS: 'true' }).surveys).toBe(true)
    expect(browserSide({ ...KEYS, POSTHOG_SURVEYS: '0' }).surveys).toBe(false)
  })
})
