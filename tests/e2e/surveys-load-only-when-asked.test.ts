import { describe, expect, it } from 'vitest'
import { newVisitor, pathOf, recordNetwork, waitForKitReady, waitForPostHogStarted } from '../support/browser'
import { leavePage, stackForFile } from '../support/e2e-stack'

/**
 * docs/configuration.md: `POSTHOG_SURVEYS=true` lets posthog-js load its surveys for a project
 * that has some (the fake's remote config says so). The default, off, is checked in
 * one-recorder-per-page-by-default.test.ts on the same remote config.
 */

const stack = stackForFile({ POSTHOG_SURVEYS: 'true' }, { remoteConfig: { surveys: true } })

describe('surveys load only when asked for', () => {
  it('with POSTHOG_SURVEYS=true posthog-js fetches its surveys code through the kit', async () => {
    const { app, browser, fake } = stack
    const context = await newVisitor(browser)
    const network = recordNetwork(context)
    try {
      const page = await context.newPage()
      await page.goto(`${app.url}/`)
      await waitForKitReady(page)
      await waitForPostHogStarted(page)
      await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('surveys')), undefined, { timeout: 30_000 })
      await leavePage(page, fake)
      const surveys = network.entries.map((e) => pathOf(e.url)).filter((p) => p.includes('surveys'))
      expect(
        surveys.some((p) => p.startsWith('/_ox/p/static/') && p.endsWith('surveys.js')),
        surveys.join(', '),
      ).toBe(true)
    } finally {
      await context.close()
    }
  })
})
