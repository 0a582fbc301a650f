import { describe, expect, it } from 'vitest'
import { newVisitor, posthogIds, waitForKitReady } from '../support/browser'
import { leavePage, stackForFile } from '../support/e2e-stack'
import { hasFullSnapshot, sentryReplay } from '../support/replay'

/**
 * docs/configuration.md "Replay": with PostHog's replay off (`POSTHOG_REPLAY=false`) and no
 * `SENTRY_REPLAYS_*` set, Sentry records instead, on error (its default): the error's replay
 * reaches Sentry, linked from the error event, and PostHog receives no recording.
 */

const stack = stackForFile({ POSTHOG_REPLAY: 'false', SENTRY_REPLAYS_SESSION_SAMPLE_RATE: '' })

describe("Sentry's replay records when PostHog's is off", () => {
  it('an error in the page arrives at Sentry with its replay; PostHog records nothing', async () => {
    const { app, browser, fake } = stack
    const context = await newVisitor(browser)
    try {
      const page = await context.newPage()
      await page.goto(`${app.url}/debug/throw`)
      await waitForKitReady(page)
      // Sentry's recorder is its own chunk, added once Sentry has started: wait until it buffers.
      await page.waitForFunction(() => sessionStorage.getItem('sentryReplaySession') !== null, undefined, { timeout: 30_000 })
      const ids = await posthogIds(page)

      await page.click('#throw-handler')
      const error = await fake.waitFor(
        (f) => f.sentryEvents().find((i) => i.payload.exception?.values?.some((x) => x.value === 'Debug handler error from /debug/throw')),
        { timeoutMs: 30_000, message: 'the Sentry event of the thrown error' },
      )
      const replay = await fake.waitFor((f) => f.sentryItems('replay_event')[0], { timeoutMs: 30_000, message: "Sentry's replay of the error" })
      await fake.waitFor((f) => hasFullSnapshot(sentryReplay(f)), { timeoutMs: 30_000, message: 'a Sentry replay recording with a full snapshot' })
      await leavePage(page, fake)

      const replayId = (replay.payload as { replay_id?: string }).replay_id
      expect(replayId).toMatch(/^[0-9a-f]{32}$/)
      // Sentry links an error to its replay with the `replayId` tag.
      expect(error.payload.tags).toMatchObject({ replayId })
      // Still linked to PostHog, which has a session but records none.
      expect(error.payload.tags).toMatchObject({ posthog_session_id: ids.sessionId })
      expect(fake.events().filter((e) => e.event === '$snapshot')).toEqual([])
    } finally {
      await context.close()
    }
  })
})
