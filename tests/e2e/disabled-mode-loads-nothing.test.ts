import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isScript, newVisitor, pathOf, recordNetwork } from '../support/browser'
import { sdkChunkPaths, sdkSignaturesIn } from '../support/bundles'
import { startStack, type E2EStack } from '../support/e2e-stack'

/**
 * docs/configuration.md: with neither `POSTHOG_API_KEY` nor `SENTRY_DSN` the kit is off, browser included:
 * no ingestion request of any kind, no SDK code downloaded, the lazy chunks never requested.
 */

let stack: E2EStack

beforeAll(async () => {
  // No keys at all; DEBUG=1 only so the debug page exists. The fake runs to prove nothing calls it.
  stack = await startStack(null)
})
afterAll(async () => {
  await stack?.stop()
})

/** Longer than the kit would take to start the SDKs after `load` (idle callback, 2 s at most). */
const PAST_SDK_START_MS = 3_000

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
      await page.waitForTimeout(PAST_SDK_START_MS)

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
      await page.waitForTimeout(PAST_SDK_START_MS)
      await page.click('#throw-handler')
      await page.waitForTimeout(1_000)

      const state = await page.evaluate(() => {
        const kit = (globalThis as unknown as Record<symbol, { phase?: string; page?: { config?: unknown } } | undefined>)[Symbol.for('observability.kit.browser')]
        return { phase: kit?.phase, config: kit?.page?.config, sentryCarrier: '__SENTRY__' in window, cookie: document.cookie }
      })
      expect(state, 'the kit stayed idle, no SDK global exists').toMatchObject({ phase: 'idle', config: null, sentryCarrier: false })
      expect(state.cookie).not.toMatch(/(^|;\s*)__ox=/)
      expect((await context.cookies()).map((c) => c.name)).not.toContain('__ox')

      const urls = network.entries.map((e) => e.url)
      expect(urls.filter((u) => pathOf(u).startsWith('/_ox/')), 'requests to the kit routes').toEqual([])
      expect(urls.filter((u) => u.includes(`:${fake.port}`)), 'requests to the ingestion host').toEqual([])
      expect(fake.requests().map((r) => `${r.method} ${r.path}`), 'the fake ingestion server heard nothing').toEqual([])
      expect(urls.filter((u) => sdkChunks.includes(pathOf(u))), 'SDK chunks requested').toEqual([])

      // Every script the page loaded, read back: none is SDK code.
      await network.settled()
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
