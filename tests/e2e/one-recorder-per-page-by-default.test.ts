import { describe, expect, it } from 'vitest'
import { newVisitor, pathOf, posthogIds, recordNetwork, waitForKitReady, waitForPostHogStarted } from '../support/browser'
import { leavePage, stackForFile } from '../support/e2e-stack'
import { hasFullSnapshot, posthogReplay } from '../support/replay'

/**
 * docs/configuration.md "Replay": with both backends on and no `SENTRY_REPLAYS_*` set, a page has
 * one recorder, PostHog's masked replay; Sentry's recorder is not even downloaded, and a Sentry
 * error still leads to the replay through its `posthog_session_id` tag. Surveys are off unless
 * `POSTHOG_SURVEYS` asks for them, even when the PostHog project has some (the fake's remote
 * config says it has).
 */

/** A string only Sentry's replay code holds (its session storage key), in whatever chunk it lands. */
const SENTRY_REPLAY_SIGNATURE = 'sentryReplaySession'

// The stack's default asks Sentry to record every session; this file measures the kit's default.
const stack = stackForFile({ SENTRY_REPLAYS_SESSION_SAMPLE_RATE: '' }, { remoteConfig: { surveys: true } })

describe('one recorder per page by default', () => {
  it("PostHog records, Sentry's replay never loads, and a Sentry error links to PostHog's replay", async () => {
    const { app, browser, fake } = stack
    const context = await newVisitor(browser)
    const network = recordNetwork(context)
    try {
      const page = await context.newPage()
      await page.goto(`${app.url}/debug/throw`)
      await waitForKitReady(page)
      await waitForPostHogStarted(page)
      const ids = await posthogIds(page)
      expect(ids.sessionId, 'posthog-js has a session id').toBeTruthy()

      await page.click('#throw-handler')
      const error = await fake.waitFor(
        (f) => f.sentryEvents().find((i) => i.payload.exception?.values?.some((x) => x.value === 'Debug handler error from /debug/throw')),
        { timeoutMs: 30_000, message: 'the Sentry event of the thrown error' },
      )
      await fake.waitFor((f) => hasFullSnapshot(posthogReplay(f)), { timeoutMs: 60_000, message: 'a PostHog replay with a full snapshot' })
      // Everything the page still held leaves with its $pageleave: what arrived now is final.
      await leavePage(page, fake)
      await network.settled()

      // PostHog recorded this session, and Sentry's event names it.
      const snapshots = fake.events().filter((e) => e.event === '$snapshot')
      expect(snapshots.length).toBeGreaterThan(0)
      expect(new Set(snapshots.map((e) => e.properties.$session_id))).toEqual(new Set([ids.sessionId]))
      expect(error.payload.tags).toMatchObject({ posthog_session_id: ids.sessionId, posthog_distinct_id: ids.distinctId })

      // Sentry recorded nothing, and its recorder never reached the page.
      expect(fake.sentryItems('replay_event')).toEqual([])
      expect(fake.sentryItems('replay_recording')).toEqual([])
      expect(error.payload.tags?.replayId, 'the Sentry event names no Sentry replay').toBeUndefined()
      const scripts = network.entries.filter((e) => e.body)
      expect(scripts.length, 'script bodies were read').toBeGreaterThan(0)
      const withSentryReplay = scripts.filter((e) => e.body!.toString('utf8').includes(SENTRY_REPLAY_SIGNATURE)).map((e) => pathOf(e.url))
      expect(withSentryReplay).toEqual([])

      // Surveys: the project has some, the kit was not asked for them: no code, no request.
      const surveyRequests = network.entries.map((e) => pathOf(e.url)).filter((p) => p.includes('surveys'))
      expect(surveyRequests).toEqual([])
      // Positive control: posthog-js did fetch its other lazy code (the recorder) through the same proxy.
      expect(network.entries.some((e) => pathOf(e.url).startsWith('/_ox/p/static/'))).toBe(true)
    } finally {
      await context.close()
    }
  })
})
