import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { isScript, newVisitor, pageState, pastKitStart, pathOf, recordNetwork, waitForPageState } from '../support/browser'
import { sdkChunkPaths, sdkSignaturesIn } from '../support/bundles'
import { stackForFile } from '../support/e2e-stack'

/**
 * docs/configuration.md: with neither `POSTHOG_API_KEY` nor `SENTRY_DSN` the kit is off, browser included:
 * no ingestion request of any kind, no SDK code downloaded, the lazy chunks never requested.
 */

// No keys at all; DEBUG=1 only so the debug page exists. The fake runs to prove nothing calls it.
const stack = stackForFile(null)

/**
 * Resolves once the kit has read this page's config (it found none) and the page has had the
 * idle time after which the kit would have started the SDKs.
 */
async function pastWhereSdksWouldStart(page: Page): Promise<void> {
  await waitForPageState(page, 'state.configRead', 'the kit to read the browser config')
  await pastKitStart(page)
}

describe('disabled mode sends and downloads nothing', () => {
  it('pages, navigation, errors and typing produce no ingestion traffic and load no SDK', async () => {
    const { app, browser, fake } = stack
    const sdkChunks = sdkChunkPaths()
    // Non-vacuous: the build does have SDK chunks (posthog-js and @sentry/browser, each with the kit's glue).
    expect(sdkChunks.length, `SDK chunks in the build: ${sdkChunks.join(', ')}`).toBeGreaterThanOrEqual(2)

    const context = await newVisitor(browser)
    const network = recordNetwork(context)
    try {
      const page = await context.newPage()
      const home = await page.goto(`${app.url}/`, { waitUntil: 'load' })
      expect(home?.status()).toBe(200)
      expect(home?.headers()['x-request-id'], 'request ids work without backends').toBeTruthy()
      expect(home?.headers()['server-timing'] ?? '', 'no browser config is handed out').not.toMatch(/(^|,\s*)ox;/)
      await pastWhereSdksWouldStart(page)

      await page.click('a[href="/debug/throw"]')
      await page.waitForURL(`${app.url}/debug/throw`)
      await page.locator('#throw-handler').waitFor()
      await page.click('#throw-handler')
      await page.click('#throw-rejection')
      await page.click('#throw-api')
      await page.locator('#throw-api-result').filter({ hasText: '500' }).waitFor()
      await page.locator('#replay-password').pressSequentially('not-sent-anywhere')
      await page.goBack()
      await page.waitForURL(`${app.url}/`)
      // And a hard load of the debug page itself.
      await page.goto(`${app.url}/debug/throw`, { waitUntil: 'load' })
      await pastWhereSdksWouldStart(page)
      await page.click('#throw-handler')
      await pastKitStart(page)

      const kit = await pageState(page)
      const state = {
        phase: kit.phase,
        configRead: kit.configRead,
        configured: kit.configured,
        ...(await page.evaluate(() => ({ sentryCarrier: '__SENTRY__' in window, cookie: document.cookie }))),
      }
      // configRead and not configured: the kit read the page's config and found none (null).
      expect(state, 'the kit stayed idle, no SDK global exists').toMatchObject({ phase: 'idle', configRead: true, configured: false, sentryCarrier: false })
      expect(state.cookie).not.toMatch(/(^|;\s*)__ox=/)
      expect((await context.cookies()).map((c) => c.name)).not.toContain('__ox')
      await network.settled()
      // Closed, the page can send nothing more: the network log and the fake are final.
      await context.close()

      const urls = network.entries.map((e) => e.url)
      expect(
        urls.filter((u) => pathOf(u).startsWith('/_ox/')),
        'requests to the kit routes',
      ).toEqual([])
      expect(
        urls.filter((u) => u.includes(`:${fake.port}`)),
        'requests to the ingestion host',
      ).toEqual([])
      expect(
        fake.requests().map((r) => `${r.method} ${r.path}`),
        'the fake ingestion server heard nothing',
      ).toEqual([])
      expect(
        urls.filter((u) => sdkChunks.includes(pathOf(u))),
        'SDK chunks requested',
      ).toEqual([])

      // Every script the page loaded, read back: none is SDK code.
      const scripts = network.entries.filter((e) => isScript(e) && e.response)
      expect(scripts.length, 'the app itself did load its scripts').toBeGreaterThan(3)
      for (const entry of scripts) {
        expect(entry.body, `body of ${entry.url} was read`).toBeDefined()
        expect(sdkSignaturesIn(entry.body!.toString('utf8')), `SDK code in ${pathOf(entry.url)}`).toEqual([])
      }
    } finally {
      await context.close()
    }
  })
})
