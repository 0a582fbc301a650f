import { gzipSync } from 'node:zlib'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isScript, newVisitor, pastKitStart, pathOf, recordNetwork, waitForKitReady, waitForPageState } from '../support/browser'
import { sdkChunkPaths, sdkSignaturesIn } from '../support/bundles'
import { startStack, type E2EStack } from '../support/e2e-stack'

/**
 * docs/decisions/005: turning the backends on adds (almost) nothing to the JavaScript a page
 * loads before `load`; posthog-js, @sentry/browser and the kit's glue for them arrive after it.
 * A functional check on bytes and ordering only; load-time figures belong to `npm run bench`.
 */

/** What enabling both backends may add to the JavaScript fetched before `load`, gzipped. */
const BUDGET_BYTES = 15 * 1024

let on: E2EStack
let off: E2EStack

beforeAll(async () => {
  ;[on, off] = await Promise.all([startStack(), startStack(null)])
})
afterAll(async () => {
  await Promise.all([on?.stop(), off?.stop()])
})

interface ScriptLoad {
  readonly path: string
  readonly gzipBytes: number
  readonly beforeLoad: boolean
  readonly signatures: string[]
  /** Carries the kit's eager glue (its page-wide state lives under this symbol key). */
  readonly kitGlue: boolean
}

/** Loads `path` in a fresh visitor and classifies every script by whether it started before `load`. */
async function scriptsOf(stack: E2EStack, browser: Browser, path: string, waitForSdks: boolean): Promise<ScriptLoad[]> {
  const context = await newVisitor(browser)
  const network = recordNetwork(context)
  try {
    const page = await context.newPage()
    await page.goto(`${stack.app.url}${path}`, { waitUntil: 'load' })
    // `ready` = both SDK chunks executed; with the backends off, wait past when they would have
    // started: the kit has read the page's config (none), and the page has had that idle time.
    if (waitForSdks) await waitForKitReady(page)
    else {
      await waitForPageState(page, 'state.configRead && !state.configured', 'the kit to find no browser config')
      await pastKitStart(page)
    }
    // The page's own clock: when `load` fired, and when each resource was requested.
    const timing = await page.evaluate(() => {
      const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[]
      const resources = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => ({ name: r.name, startTime: r.startTime }))
      return { loadEventStart: nav!.loadEventStart, resources }
    })
    expect(timing.loadEventStart, 'the load event fired').toBeGreaterThan(0)
    await network.settled()
    const scripts: ScriptLoad[] = []
    for (const entry of network.entries.filter((e) => isScript(e) && e.body && e.response?.ok())) {
      const resource = timing.resources.find((r) => r.name === entry.url)
      expect(resource, `resource timing for ${entry.url}`).toBeDefined()
      const body = entry.body!
      scripts.push({
        path: pathOf(entry.url),
        gzipBytes: gzipSync(body).length,
        beforeLoad: resource!.startTime < timing.loadEventStart,
        signatures: sdkSignaturesIn(body.toString('utf8')),
        kitGlue: body.includes('observability.kit.browser'),
      })
    }
    return scripts
  } finally {
    await context.close()
  }
}

const sum = (scripts: ScriptLoad[]) => scripts.reduce((n, s) => n + s.gzipBytes, 0)

describe('the SDKs stay off the first load', () => {
  for (const path of ['/', '/debug/throw']) {
    it(`${path}: enabling both backends adds at most 15 KiB gz before load, and every SDK chunk comes after load`, async () => {
      const enabled = await scriptsOf(on, on.browser, path, true)
      const disabled = await scriptsOf(off, off.browser, path, false)
      const sdkChunks = sdkChunkPaths()

      const beforeOn = enabled.filter((s) => s.beforeLoad)
      const beforeOff = disabled.filter((s) => s.beforeLoad)
      expect(beforeOff.length, 'the page loads scripts before load').toBeGreaterThan(0)
      const added = sum(beforeOn) - sum(beforeOff)
      console.info(
        `[first-load] ${path}: JS before load ${sum(beforeOn)} B gz with backends on, ${sum(beforeOff)} B off (+${added} B); ` +
          `after load with backends on: ${enabled
            .filter((s) => !s.beforeLoad)
            .map((s) => `${s.path} ${s.gzipBytes} B`)
            .join(', ')}`,
      )
      expect(added, 'gzipped JS the backends add before load').toBeLessThanOrEqual(BUDGET_BYTES)
      // The kit's small glue is there before load (it must be, to keep early errors), the SDKs are not.
      const glue = beforeOn.filter((s) => s.kitGlue)
      expect(glue.length, 'the kit glue loads before load').toBeGreaterThan(0)
      console.info(`[first-load] ${path}: chunks with the kit's eager glue: ${glue.map((s) => `${s.path} ${s.gzipBytes} B gz`).join(', ')}`)

      // Nothing SDK-like before load, whether by chunk name or by content.
      expect(beforeOn.filter((s) => sdkChunks.includes(s.path) || s.signatures.length > 0).map((s) => s.path)).toEqual([])

      // They do arrive, after load: posthog-js, @sentry/browser and the kit's glue for each.
      const after = enabled.filter((s) => !s.beforeLoad)
      const found = new Set(after.flatMap((s) => s.signatures))
      for (const signature of ['_POSTHOG_REMOTE_CONFIG', '__SENTRY__', 'advanced_disable_feature_flags_on_first_load', 'auto.function.nextjs.error_boundary']) {
        expect(found, `${signature} loaded after load`).toContain(signature)
      }
      // With the backends off, never.
      expect(disabled.filter((s) => sdkChunks.includes(s.path) || s.signatures.length > 0).map((s) => s.path)).toEqual([])
    })
  }
})
