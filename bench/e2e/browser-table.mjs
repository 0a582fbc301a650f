// The browser half of the end-to-end table: Chromium (launched as the e2e tests launch it,
// tests/support/chromium.mjs) loading each page cold (a fresh context: empty cache, no cookies or storage), the
// configurations in turns, --loads loads per page and configuration; figures are medians.
// `load` takes --quick-loads more rounds of loads that stop at `load` (nothing after it can move
// it): a cold load here is ~200 ms ± 20 ms, and its on/off ratio is the median of each round's own
// ratio (one load per configuration per round, in turns), over all rounds.
//
// Per load: `load` (the navigation entry's loadEventStart), the JavaScript fetched after it
// (resource entries that started after `load`, encoded bytes: gzip on the wire), and the page's
// JS heap once the SDKs have run (after a forced GC: CDP HeapProfiler.collectGarbage, then
// Runtime.getHeapUsage). The kit's SDKs load after `load` when the browser is idle: with a
// backend on, the bench waits until the kit says they ran (`phase === 'ready'`) plus --settle ms;
// otherwise --settle ms past the kit's own 2 s idle deadline.

import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, chromiumPath } from '../../tests/support/chromium.mjs'
import { median } from '../stats.mjs'

export const PAGES = ['/', '/debug/throw']

/**
 * Resolves to `{ [config]: { [page]: { loadMs, loadRatio, jsAfterLoadBytes, heapBytes, loads: [...], quickLoadMs: [...] } } }`;
 * `loadRatio` is against `off`, paired by round.
 */
export async function runBrowserTable({ servers, kitOn, loads, quickLoads = 0, settleMs, log }) {
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS] })
  const names = Object.keys(servers)
  const perPage = () => Object.fromEntries(names.map((n) => [n, Object.fromEntries(PAGES.map((p) => [p, []]))]))
  const rows = perPage()
  const quick = perPage()
  /** `rounds` rounds of one load per page and configuration, the configurations' order rotating. */
  const inTurns = async (rounds, into, load, progress = false) => {
    for (let i = 0; i < rounds; i++) {
      for (const path of PAGES) {
        for (let k = 0; k < names.length; k++) {
          const name = names[(k + i) % names.length]
          into[name][path].push(await load(servers[name] + path, name))
        }
      }
      if (progress) log(`  loads ${i + 1}/${rounds}`)
    }
  }
  const full = (url, name) => loadOnce(browser, url, kitOn[name], settleMs)
  try {
    // One discarded load per server and page: the server's first render of each page is not a visitor's.
    await inTurns(1, perPage(), full)
    await inTurns(loads, rows, full, true)
    await inTurns(quickLoads, quick, (url) =>
      coldLoad(browser, url, (page) => page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventStart)),
    )
    if (quickLoads) log(`  ${quickLoads} more rounds of loads up to \`load\``)
  } finally {
    await browser.close().catch(() => undefined)
  }
  const out = {}
  for (const name of names) {
    out[name] = {}
    for (const path of PAGES) {
      const r = rows[name][path]
      // Round i of every configuration: the full loads' rounds, then the quick ones.
      const loadTimes = (n) => [...rows[n][path].map((x) => x.loadMs), ...quick[n][path]]
      const off = loadTimes('off')
      out[name][path] = {
        loadMs: median(loadTimes(name)),
        loadRatio: median(loadTimes(name).map((ms, round) => ms / off[round])),
        quickLoadMs: quick[name][path],
        jsAfterLoadBytes: median(r.map((x) => x.jsAfterLoadBytes)),
        heapBytes: median(r.map((x) => x.heapBytes)),
        loads: r,
      }
    }
  }
  return out
}

/**
 * Until the kit says its SDKs ran (its own page state, the global nextjs-observability-kit/testing
 * reads), or 2 s without a backend. Polled with plain `page.evaluate` in every configuration:
 * Playwright's `waitForFunction` injects its own ~330 KB script into the page, which would be
 * counted in the heap of the configurations that wait that way.
 */
async function waitForSdks(page, kitOn) {
  const started = Date.now()
  for (;;) {
    const ready = await page.evaluate(() => globalThis[Symbol.for('observability.kit.browser')]?.phase === 'ready')
    const waited = Date.now() - started
    if (kitOn ? ready : waited >= 2_000) return
    if (waited > 20_000) throw new Error('the kit did not report its SDKs ready within 20 s')
    await page.waitForTimeout(100)
  }
}

/** Opens `url` in a fresh context (cold cache, no storage), then `after(page, context)`; closes it. */
async function coldLoad(browser, url, after) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  try {
    const page = await context.newPage()
    const res = await page.goto(url, { waitUntil: 'load' })
    if (res?.status() !== 200) throw new Error(`${url} answered ${res?.status()}`)
    return await after(page, context)
  } finally {
    await context.close()
  }
}

function loadOnce(browser, url, kitOn, settleMs) {
  return coldLoad(browser, url, async (page, context) => {
    await waitForSdks(page, kitOn)
    await page.waitForTimeout(settleMs)
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0]
      const load = nav.loadEventStart
      const scripts = performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'script' || new URL(e.name).pathname.endsWith('.js'))
      const after = scripts.filter((e) => e.startTime >= load)
      return {
        loadMs: load,
        jsAfterLoadBytes: after.reduce((sum, e) => sum + e.encodedBodySize, 0),
        jsAfterLoad: after.map((e) => ({ path: new URL(e.name).pathname, bytes: e.encodedBodySize })),
      }
    })
    const cdp = await context.newCDPSession(page)
    await cdp.send('HeapProfiler.collectGarbage')
    const heap = await cdp.send('Runtime.getHeapUsage')
    return { ...timing, heapBytes: heap.usedSize }
  })
}
