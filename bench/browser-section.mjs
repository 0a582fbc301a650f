// Section "browser": what the kit costs a page's first load in Chromium, on `next start`, with
// both backends on (PostHog + Sentry pointed at the local sink) versus both off (no keys).
//
// The bar (the SDKs must not sit on the first load):
// - disabled: no PostHog or Sentry code is downloaded at all, and nothing is asked of /_ox/;
// - enabled: the JS the kit adds before the `load` event is at most 15 KiB gzipped, the SDKs
//   arrive after `load`, and `load` fires within 1.15 × the disabled page's.
//
// Method, and why:
// - Same build; per round a fresh enabled and a fresh disabled `next start` (DEBUG=1 in both: the
//   /debug/* pages 404 without it), both up together. Per page, loads alternate between the two
//   servers (E,D,D,E,E,D… by default, E,D,E,D… with `--order alternate`), so every enabled load
//   has a disabled one seconds away. On a shared 2-core machine, other work comes in bursts of
//   tens of seconds: measuring one configuration for ~20 s and then the other (as the server
//   section did at first; it now interleaves short slices too) let a burst land on one side
//   only (single rounds gave 1.05–2.3 for identical page weights); interleaving spreads it over
//   both. An idle `next start` costs no CPU, and fresh servers per round still sample
//   per-process luck.
// - One Chromium for the whole section; every load gets a fresh context (empty HTTP cache, no
//   cookies, no storage): each load is a first visit. One discarded load per page warms each
//   fresh server (route modules, file cache) before the measured loads.
// - No carry-over: before each navigation the bench waits for its own processes (Chromium, the
//   servers, the sink) to go quiet (settleOwnWork). A closed enabled page keeps Chromium and the
//   enabled server busy for a while, and the next load, whatever its configuration, was ~50%
//   slower; with E,D,E,D that load was always a disabled one. The report prints the median load
//   after an enabled and after a disabled load so this stays checked. The next context's renderer
//   (up to ~1 s to start here) is created during the previous page's after-`load` window.
// - The browser passes for a visitor's desktop Chrome (normal UA via --user-agent,
//   navigator.webdriver false): posthog-js drops everything from a HeadlessChrome UA or a
//   webdriver, and would then not behave as it does for real visitors.
// - Per load: the navigation entry's loadEventStart, and every script with its request start
//   relative to it (before `load` = requested before loadEventStart, as the e2e test does).
//   Bytes are gzip bytes: the encodedBodySize of the resource entry when the response came
//   gzip-encoded (`next start` compresses by default, checked per response; it leaves bodies
//   under 1 KiB alone), else zlib's gzip of the body (level 6, what Next's compression uses).
//   After `load` the bench waits for the kit to report its SDKs loaded (enabled; then
//   --browser-settle more) or --browser-wait seconds (disabled; the kit's idle callback runs at
//   the latest 2 s after `load`, and the kit's phase is recorded too).
// - SDK code is recognised both by URL (chunks of this build that contain an SDK, found by
//   scanning .next/static; anything under /_ox/p/static/ or /_ox/p/array/) and by content
//   (strings only posthog-js, @sentry/* or the kit's lazy SDK glue contain; the eager glue
//   mentions "posthog" and "sentry" by name, so those words alone prove nothing).
// - The load-time verdict is the median of per-round ratios (each round's enabled median over the
//   same round's disabled median); the ratio of medians over all loads is printed beside it.
//   Every load records how much CPU other processes used while it loaded (the noise).

import { chromium } from 'playwright-core'
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import { execFileSync } from 'node:child_process'
import { ROOT, startNext, stopGroup, processTree, sleep, machineBusyMs, buildId } from './procs.mjs'
import { diffStats } from './sink.mjs'
import { configEnv, waitForQuiet } from './server-section.mjs'
import { median, fmt, table } from './stats.mjs'

export const PAGES = {
  '/': { what: 'static prerendered page' },
  '/debug/throw': { what: 'dynamic page (force-dynamic, flags evaluated per request)' },
}

/** What enabling both backends may add to the gzipped JS fetched before `load`. */
export const BUDGET_BYTES = 15 * 1024
/** Enabled `load` ≤ this × disabled `load`. */
export const LOAD_RATIO_BAR = 1.15

/** A visitor's desktop Chrome: no "HeadlessChrome" (tests/support/browser.ts uses the same). */
const DESKTOP_CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36'
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-blink-features=AutomationControlled',
  `--user-agent=${DESKTOP_CHROME_UA}`,
]

/**
 * Strings only the SDKs (or the kit's lazy glue for them) contain; copied from
 * tests/support/bundles.ts (the bench is plain ESM and cannot import TypeScript).
 */
const SDK_SIGNATURES = {
  _POSTHOG_REMOTE_CONFIG: 'posthog-js',
  __PosthogExtensions__: 'posthog-js',
  __SENTRY__: '@sentry/browser',
  advanced_disable_feature_flags_on_first_load: 'kit lazy/posthog',
  'auto.function.nextjs.error_boundary': 'kit lazy/sentry',
}
const POSTHOG_SIGS = ['_POSTHOG_REMOTE_CONFIG', '__PosthogExtensions__', 'advanced_disable_feature_flags_on_first_load']
const SENTRY_SIGS = ['__SENTRY__', 'auto.function.nextjs.error_boundary']
/** The kit's page-wide state key: present in its eager glue (which ships whatever the config). */
const KIT_GLUE_MARK = 'observability.kit.browser'
const KIT_PREFIX = '/_ox/'

const sdkSignaturesIn = (text) => Object.keys(SDK_SIGNATURES).filter((s) => text.includes(s))

/** URL paths of every chunk in the build that carries SDK code or the kit's lazy glue. */
function sdkChunkPaths() {
  const dir = join(ROOT, '.next', 'static')
  const out = {}
  const visit = (path) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name)
      if (statSync(full).isDirectory()) visit(full)
      else if (name.endsWith('.js')) {
        const sigs = sdkSignaturesIn(readFileSync(full, 'utf8'))
        if (sigs.length) out[`/_next/static/${relative(dir, full).split('\\').join('/')}`] = sigs
      }
    }
  }
  if (existsSync(dir)) visit(dir)
  return out
}

const pathOf = (url) => {
  try { return new URL(url).pathname } catch { return '' }
}
const isScript = (resourceType, url) => resourceType === 'script' || pathOf(url).endsWith('.js')
const isSdkUrl = (path, sdkChunks) => Object.hasOwn(sdkChunks, path) || path.startsWith('/_ox/p/static/') || path.startsWith('/_ox/p/array/')

async function newVisitor(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  // posthog-js treats navigator.webdriver === true as a bot; pin it false should the flag be ignored.
  await context.addInitScript(() => {
    if (navigator.webdriver) Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false, configurable: true })
  })
  context.setDefaultTimeout(30_000)
  context.setDefaultNavigationTimeout(30_000)
  return context
}

/** The kit's phase in the page: undefined (never started), idle, scheduled or ready. */
const kitPhase = (page) =>
  page.evaluate(() => globalThis[Symbol.for('observability.kit.browser')]?.phase).catch(() => undefined)

/**
 * A fresh context (a first-time visitor) with a blank page and the network recorder attached.
 * Creating it costs ~0.1–1 s (a new renderer process), so the bench prepares the next visitor
 * while the current page is in its after-`load` watch window, never during a measured load.
 */
async function prepareVisitor(browser) {
  const context = await newVisitor(browser)
  const state = { t0: Date.now(), requests: [], reading: new Set() }
  const byRequest = new Map()
  context.on('request', (request) => {
    const e = { url: request.url(), path: pathOf(request.url()), method: request.method(), type: request.resourceType(), at: Date.now() - state.t0 }
    byRequest.set(request, e)
    state.requests.push(e)
  })
  context.on('requestfinished', (request) => {
    const e = byRequest.get(request)
    if (!e || e.url.startsWith('data:') || e.url.startsWith('blob:')) return
    const read = (async () => {
      const response = await request.response()
      if (!response) return
      e.status = response.status()
      const headers = await response.allHeaders().catch(() => ({}))
      e.contentEncoding = headers['content-encoding'] ?? null
      // Read at once: the body is gone once the context closes.
      if (isScript(e.type, e.url)) e.body = await response.body()
    })()
      .catch(() => {})
      .finally(() => state.reading.delete(read))
    state.reading.add(read)
  })
  context.on('requestfailed', (request) => {
    const e = byRequest.get(request)
    if (e) e.failed = request.failure()?.errorText ?? 'failed'
  })
  try {
    const page = await context.newPage()
    return { context, page, state }
  } catch (err) {
    await context.close().catch(() => {})
    throw err
  }
}

/**
 * One first-visit load of `url` in the prepared visitor; closes it. Before navigating, waits for
 * the bench's own processes to go quiet. `afterLoad()` is called right after `load`, so the
 * caller can prepare the next visitor meanwhile. Returns the timing and every script and /_ox/
 * request, classified before/after `load`; null for a warm-up load.
 */
async function loadOnce({ visitor, url, enabled, opts, sdkChunks, warmup = false, afterLoad = () => {} }) {
  const { context, page, state } = visitor
  try {
    let loadAt = null
    const settledMs = await settleOwnWork()
    const busy0 = machineBusyMs()
    const own0 = ownCpuMs()
    state.t0 = Date.now()
    page.once('load', () => (loadAt = Date.now() - state.t0))
    const response = await page.goto(url, { waitUntil: 'load' })
    // CPU the rest of the machine used while this page loaded (other people's tests…): the noise.
    const wallMs = Date.now() - state.t0
    const otherCores = Math.max(0, machineBusyMs() - busy0 - (ownCpuMs() - own0)) / Math.max(1, wallMs)
    const status = response?.status()
    if (status !== 200) throw Object.assign(new Error(`${url} answered ${status}`), { benchBroken: true })
    if (warmup) return null
    let readyAt = null
    // Same moment in both configurations: the next visitor's renderer starts while this page
    // runs its after-`load` work.
    afterLoad()
    if (enabled) {
      // The kit sets phase 'ready' once both SDK chunks ran (or failed); then let their first
      // requests (remote config, flags, first events) go out.
      readyAt = await page
        .waitForFunction(() => (globalThis[Symbol.for('observability.kit.browser')]?.phase === 'ready' ? performance.now() : 0), undefined, { timeout: 15_000, polling: 50 })
        .then((h) => h.jsonValue())
        .catch(() => null)
      await sleep(opts.browserSettle * 1000)
    } else {
      await sleep(opts.browserWait * 1000)
    }
    const phase = await kitPhase(page)
    const timing = await page.evaluate(() => {
      const [nav] = performance.getEntriesByType('navigation')
      return {
        loadEventStart: nav.loadEventStart,
        domContentLoaded: nav.domContentLoadedEventEnd,
        ttfb: nav.responseStart,
        // What posthog-js's bot filter looks at: either would make it drop every event.
        looksLikeBot: navigator.webdriver === true || /HeadlessChrome/i.test(navigator.userAgent),
        doc: { encodedBodySize: nav.encodedBodySize, decodedBodySize: nav.decodedBodySize, transferSize: nav.transferSize },
        resources: performance.getEntriesByType('resource').map((r) => ({
          name: r.name,
          startTime: r.startTime,
          responseEnd: r.responseEnd,
          encodedBodySize: r.encodedBodySize,
          decodedBodySize: r.decodedBodySize,
        })),
      }
    })
    while (state.reading.size) await Promise.all([...state.reading])
    const readyMs = readyAt ? readyAt - timing.loadEventStart : null
    return { ...classify({ requests: state.requests, timing, loadAt, phase, readyMs, sdkChunks }), otherCores, settledMs }
  } finally {
    await context.close().catch(() => {})
  }
}

function classify({ requests, timing, loadAt, phase, readyMs, sdkChunks }) {
  const load = timing.loadEventStart
  const scripts = []
  const ox = []
  const failed = []
  for (const e of requests) {
    const resource = timing.resources.find((r) => r.name === e.url)
    // Page clock when there is a resource entry (the e2e test's rule); else the node-side clock.
    const beforeLoad = resource ? resource.startTime < load : loadAt !== null && e.at < loadAt
    if (e.failed) failed.push(`${e.path} (${e.failed})`)
    if (e.path.startsWith(KIT_PREFIX)) ox.push({ path: e.path, method: e.method, beforeLoad, status: e.status ?? null, failed: e.failed ?? null })
    if (!isScript(e.type, e.url) || e.url.startsWith('data:') || e.url.startsWith('blob:')) continue
    const body = e.body ?? null
    const text = body ? body.toString('utf8') : ''
    const zlibBytes = body ? gzipSync(body).length : 0
    const wire = e.contentEncoding === 'gzip' && resource?.encodedBodySize > 0
    const sigs = sdkSignaturesIn(text)
    scripts.push({
      path: e.path,
      beforeLoad,
      sinceLoadMs: resource ? Math.round(resource.startTime - load) : null,
      endSinceLoadMs: resource ? Math.round(resource.responseEnd - load) : null,
      status: e.status ?? null,
      gz: wire ? resource.encodedBodySize : zlibBytes,
      sizeFrom: wire ? 'wire' : body ? 'zlib' : 'none',
      contentEncoding: e.contentEncoding ?? null,
      zlibBytes,
      rawBytes: body?.length ?? 0,
      sdk: isSdkUrl(e.path, sdkChunks) || sigs.length > 0,
      sigs,
      kitGlue: text.includes(KIT_GLUE_MARK),
      failed: e.failed ?? null,
    })
  }
  const sum = (xs) => xs.reduce((s, x) => s + x.gz, 0)
  const before = scripts.filter((s) => s.beforeLoad)
  const after = scripts.filter((s) => !s.beforeLoad)
  const sigsAfter = [...new Set(after.flatMap((s) => s.sigs))]
  return {
    loadMs: load,
    dclMs: timing.domContentLoaded,
    ttfbMs: timing.ttfb,
    docGz: timing.doc.encodedBodySize,
    docRaw: timing.doc.decodedBodySize,
    phase: phase ?? null,
    looksLikeBot: timing.looksLikeBot,
    readyMs,
    requests: requests.length,
    js: { before: sum(before), after: sum(after), beforeCount: before.length, afterCount: after.length },
    sdk: {
      before: sum(before.filter((s) => s.sdk)),
      after: sum(after.filter((s) => s.sdk)),
      beforePaths: before.filter((s) => s.sdk).map((s) => s.path),
      afterPaths: after.filter((s) => s.sdk).map((s) => s.path),
      sigsAfter,
      posthogAfter: POSTHOG_SIGS.some((s) => sigsAfter.includes(s)),
      sentryAfter: SENTRY_SIGS.some((s) => sigsAfter.includes(s)),
    },
    ox: { before: ox.filter((x) => x.beforeLoad).length, after: ox.filter((x) => !x.beforeLoad).length, paths: ox.map((x) => `${x.method} ${x.path}${x.status && x.status !== 200 ? ` ${x.status}` : ''}${x.failed ? ` (${x.failed})` : !x.status ? ' (no answer before the context closed)' : ''}`) },
    glueBefore: before.filter((s) => s.kitGlue).map((s) => ({ path: s.path, gz: s.gz })),
    failed,
    sdkFirstRequestMs: Math.min(...after.filter((s) => s.sdk && s.sinceLoadMs !== null).map((s) => s.sinceLoadMs)),
    scripts: scripts.map((s) => ({ path: s.path, at: s.sinceLoadMs, end: s.endSinceLoadMs, gz: s.gz, from: s.sizeFrom, enc: s.contentEncoding, zlib: s.zlibBytes, raw: s.rawBytes, before: s.beforeLoad, sdk: s.sdk, sigs: s.sigs.length ? s.sigs : undefined, status: s.status })),
  }
}

/**
 * CPU time (ms) of everything this bench started (its own process, the sink, the server,
 * Chromium and its helpers), children that already exited included (cutime/cstime: a renderer
 * of a closed context is reaped by Chromium). The rest of the machine's busy time is the noise.
 */
let clkTck
function ownCpuMs({ childrenOnly = false } = {}) {
  clkTck ??= (() => {
    try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100 } catch { return 100 }
  })()
  let ticks = 0
  for (const pid of processTree(process.pid)) {
    if (childrenOnly && pid === process.pid) continue
    try {
      const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ')
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
    } catch {}
  }
  return (ticks * 1000) / clkTck
}

/**
 * Waits until everything this bench started (Chromium and its helpers, both servers, the sink)
 * has gone quiet: under QUIET_CORES for one QUIET_WINDOW_MS window, at most QUIET_MAX_MS. Closing
 * an enabled page leaves Chromium and the enabled server busy for a while (renderer teardown,
 * the SDKs' last beacons proxied to the sink); without this, whichever load came right after an
 * enabled one was ~50% slower, whatever its own configuration (seen with --order abba).
 * Returns the milliseconds waited.
 */
const QUIET_CORES = 0.1
const QUIET_WINDOW_MS = 150
const QUIET_MAX_MS = 3_000
async function settleOwnWork() {
  const started = Date.now()
  let cpu = ownCpuMs({ childrenOnly: true })
  while (Date.now() - started < QUIET_MAX_MS) {
    const t = Date.now()
    await sleep(QUIET_WINDOW_MS)
    const now = ownCpuMs({ childrenOnly: true })
    const cores = (now - cpu) / Math.max(1, Date.now() - t)
    cpu = now
    if (cores < QUIET_CORES) break
  }
  return Date.now() - started
}

/**
 * Runs the section. Returns `{ result, broken: string[], lines: string[], verdicts }`; throws only
 * when the benchmark could not run at all.
 */
export async function runBrowserSection(ctx) {
  const { opts, outDir, log } = ctx
  const sink = await ctx.getSink()
  const pages = opts.pages
  const logDir = join(outDir, 'logs')
  mkdirSync(logDir, { recursive: true })
  const sdkChunks = sdkChunkPaths()
  if (!Object.keys(sdkChunks).length) throw new Error('no chunk in .next/static contains SDK code: cannot tell SDK downloads apart (was the build made from this tree?)')
  log(`  ${Object.keys(sdkChunks).length} SDK chunk(s) in build ${buildId()}: ${Object.entries(sdkChunks).map(([p, s]) => `${p.split('/').pop()} [${s.join(',')}]`).join(', ')}`)

  const executablePath = opts.chromium
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (--chromium or CHROMIUM_PATH)`)
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 })
  const chromiumVersion = browser.version()
  log(`  Chromium ${chromiumVersion} (${executablePath})`)

  const runs = [] // one per configuration per round
  const broken = []
  const configs = ['enabled', 'disabled']
  const order = opts.order ?? 'abba'
  try {
    for (let round = 1; round <= opts.rounds && !broken.length; round++) {
      if (opts.quietWait > 0) await waitForQuiet(opts.quietWait, log)
      log(`[round ${round}/${opts.rounds}] starting an enabled and a disabled next start…`)
      const sinkStart = await sink.stats()
      const servers = {}
      const byConfig = {}
      try {
        for (const config of configs) {
          const env = { ...configEnv(config, sink.port, opts.enabledEnv), DEBUG: '1' }
          servers[config] = await startNext({ env, logFile: join(logDir, `browser-server-${config}-r${round}.log`) })
          byConfig[config] = { round, config, buildId: buildId(), port: servers[config].port, pid: servers[config].pid, readyMs: servers[config].readyMs, pages: {} }
          runs.push(byConfig[config])
        }
        // Warm each fresh server: route modules, file cache, Next's own lazy work.
        for (const config of configs) for (const path of pages) {
          await loadOnce({ visitor: await prepareVisitor(browser), url: servers[config].url + path, enabled: config === 'enabled', opts, sdkChunks, warmup: true })
        }
        for (const path of pages) {
          // Loads alternate between the two servers, so each enabled load has a disabled one
          // seconds away: a neighbour's burst of work hits both configurations alike.
          const sequence = []
          for (let n = 0; n < opts.loads; n++) {
            const flip = order === 'abba' && n % 2 === 1
            sequence.push(...(flip ? ['disabled', 'enabled'] : ['enabled', 'disabled']))
          }
          const loads = { enabled: [], disabled: [] }
          const failures = { enabled: 0, disabled: 0 }
          let next = prepareVisitor(browser)
          for (const [i, config] of sequence.entries()) {
            const last = i + 1 === sequence.length
            try {
              const pending = next
              next = null
              const visitor = await pending
              const afterLoad = () => {
                if (!last) next = prepareVisitor(browser)
                next?.catch(() => {}) // awaited (and reported) by the next iteration
              }
              const load = await loadOnce({ visitor, url: servers[config].url + path, enabled: config === 'enabled', opts, sdkChunks, afterLoad })
              loads[config].push({ ...load, seq: i, after: i > 0 ? sequence[i - 1] : 'warm-up' })
            } catch (err) {
              if (err.benchBroken) throw err
              next ??= last ? null : prepareVisitor(browser)
              next?.catch(() => {})
              failures[config]++
              log(`    ${config} ${path} load ${i + 1} failed: ${err.message.split('\n')[0]}`)
            }
          }
          for (const config of configs) {
            const list = loads[config]
            const m = summariseLoads(list)
            byConfig[config].pages[path] = { ...m, failures: failures[config], loads: list }
            log(
              `    ${config.padEnd(8)} ${path.padEnd(13)} load ${fmt(m.loadMs, 0).padStart(4)} ms [${list.map((l) => fmt(l.loadMs, 0)).join(' ')}]  ` +
                `JS before ${kib(m.jsBefore)} / after ${kib(m.jsAfter)} KiB gz  SDK before ${kib(m.sdkBeforeMax)} after ${kib(m.sdkAfter)} KiB  ` +
                `/_ox/ ${m.oxBeforeMax}+${fmt(m.oxAfter, 0)}  kit ${m.phases.join(',')}  others ${fmt(m.otherCores, 2)} cores`,
            )
            if (failures[config] > Math.floor(opts.loads / 10)) broken.push(`${config} round ${round} ${path}: ${failures[config]} of ${opts.loads} loads failed`)
          }
        }
      } catch (err) {
        if (err.benchBroken) broken.push(`round ${round}: ${err.message}`)
        else throw Object.assign(err, { serverOutput: Object.values(servers).map((x) => x.output()).join('\n') })
      } finally {
        for (const config of configs) if (servers[config]) await stopGroup(servers[config].child)
      }
      // Both servers were up together; only the enabled one knows the sink's address.
      const sinkDelta = diffStats(await sink.stats(), sinkStart)
      if (byConfig.enabled) byConfig.enabled.sink = sinkDelta
      for (const config of configs) if (byConfig[config]) byConfig[config].exit = servers[config].child.exitCode ?? servers[config].child.signalCode
    }
  } finally {
    await browser.close().catch(() => {})
  }

  const result = {
    method: methodDescription({ ...opts, order }, executablePath, chromiumVersion),
    sdkChunks,
    pages: {},
    runs,
  }
  // Which SDKs the enabled servers switch on (`--enabled-env SENTRY_DSN=` leaves PostHog alone).
  const enabledEnv = configEnv('enabled', sink.port, opts.enabledEnv)
  const expected = { posthog: !!enabledEnv.POSTHOG_API_KEY, sentry: !!enabledEnv.SENTRY_DSN }
  const verdicts = []
  for (const path of pages) {
    const p = summarisePage(path, runs, expected)
    result.pages[path] = p
    verdicts.push(...p.verdicts)
  }
  const allNoise = runs.flatMap((r) => Object.values(r.pages).flatMap((p) => p.loads.map((l) => l.otherCores)))
  result.medianNoiseCores = median(allNoise)
  for (const v of verdicts) if (v.kind === 'load' && result.medianNoiseCores > 0.5) v.noisy = true
  result.compression = compressionSummary(runs)
  result.sink = runs
    .filter((r) => r.sink)
    .reduce((s, r) => ({ requests: s.requests + r.sink.requests, bytes: s.bytes + r.sink.bytes, posthog: s.posthog + r.sink.byKind.posthog.requests, sentry: s.sentry + r.sink.byKind.sentry.requests, other: s.other + r.sink.byKind.other.requests }), { requests: 0, bytes: 0, posthog: 0, sentry: 0, other: 0 })

  // "enabled" measured nothing if the SDKs never came.
  const enabledLoads = runs.filter((r) => r.config === 'enabled').flatMap((r) => Object.values(r.pages).flatMap((p) => p.loads))
  if (!broken.length && enabledLoads.length && !enabledLoads.some((l) => l.sdk.after > 0 || l.sdk.before > 0)) {
    broken.push('THE SDKs NEVER LOADED: no enabled load fetched any PostHog or Sentry code. The "enabled" numbers measure a page without the SDKs; refusing to report them as a pass.')
  }
  const lines = renderBrowser(result, opts)
  const builds = [...new Set(runs.map((r) => r.buildId))]
  if (builds.length > 1) lines.push(`  WARNING: .next/BUILD_ID changed during the run (${builds.join(' → ')}): someone rebuilt the app meanwhile.`)
  return { result, broken, lines, verdicts }
}

function summariseLoads(loads) {
  const pick = (f) => median(loads.map(f))
  return {
    n: loads.length,
    loadMs: pick((l) => l.loadMs),
    ttfbMs: pick((l) => l.ttfbMs),
    dclMs: pick((l) => l.dclMs),
    jsBefore: pick((l) => l.js.before),
    jsAfter: pick((l) => l.js.after),
    docGz: pick((l) => l.docGz),
    sdkBeforeMax: Math.max(0, ...loads.map((l) => l.sdk.before)),
    sdkAfter: pick((l) => l.sdk.after),
    oxBeforeMax: Math.max(0, ...loads.map((l) => l.ox.before)),
    oxAfter: pick((l) => l.ox.after),
    readyMs: pick((l) => l.readyMs ?? NaN),
    sdkFirstRequestMs: pick((l) => l.sdkFirstRequestMs ?? NaN),
    phases: [...new Set(loads.map((l) => l.phase ?? 'none'))],
    otherCores: median(loads.map((l) => l.otherCores)),
  }
}

function summarisePage(path, runs, expected) {
  const per = (config) => runs.filter((r) => r.config === config && r.pages[path]).map((r) => ({ round: r.round, p: r.pages[path] }))
  const e = per('enabled')
  const d = per('disabled')
  const all = (list) => list.flatMap((x) => x.p.loads)
  const agg = (list) => {
    const loads = all(list)
    const m = summariseLoads(loads)
    return {
      ...m,
      rounds: list.map((x) => x.round),
      loadPerRound: list.map((x) => x.p.loadMs),
      jsBeforeMin: Math.min(...loads.map((l) => l.js.before)),
      jsBeforeMax: Math.max(...loads.map((l) => l.js.before)),
      sdkTotalMax: Math.max(0, ...loads.map((l) => l.sdk.before + l.sdk.after)),
      sdkPaths: [...new Set(loads.flatMap((l) => [...l.sdk.beforePaths, ...l.sdk.afterPaths]))],
      oxTotal: loads.reduce((s, l) => s + l.ox.before + l.ox.after, 0),
      oxPaths: countPaths(loads.flatMap((l) => l.ox.paths)),
      loadsWithExpectedSdksAfter: loads.filter((l) => (!expected.posthog || l.sdk.posthogAfter) && (!expected.sentry || l.sdk.sentryAfter)).length,
      loadsWithSdkBefore: loads.filter((l) => l.sdk.before > 0 || l.sdk.beforePaths.length > 0).length,
      sdkBeforePaths: [...new Set(loads.flatMap((l) => l.sdk.beforePaths))],
      glueBefore: uniqueBy(loads.flatMap((l) => l.glueBefore), (g) => g.path),
      failedRequests: countPaths(loads.flatMap((l) => l.failed)),
      failures: list.reduce((s, x) => s + x.p.failures, 0),
      noiseMedian: median(loads.map((l) => l.otherCores)),
      loads: loads.length,
    }
  }
  const enabled = agg(e)
  const disabled = agg(d)
  const perRound = e
    .map((x) => ({ round: x.round, e: x.p, d: d.find((y) => y.round === x.round)?.p }))
    .filter((x) => x.d)
    .map((x) => ({ round: x.round, ratio: x.e.loadMs / x.d.loadMs }))
  const medianOfRatios = median(perRound.map((x) => x.ratio))
  const ratioOfMedians = enabled.loadMs / disabled.loadMs
  const spread = perRound.length > 1 ? Math.max(...perRound.map((x) => x.ratio)) - Math.min(...perRound.map((x) => x.ratio)) : 0
  const addedBefore = enabled.jsBefore - disabled.jsBefore
  // Carry-over check: a load right after an enabled one should be no slower than one right after
  // a disabled one, whatever its own configuration (with abba each configuration gets both).
  const everyLoad = [...all(e), ...all(d)]
  const carryOver = {
    afterEnabledMs: median(everyLoad.filter((l) => l.after === 'enabled').map((l) => l.loadMs)),
    afterDisabledMs: median(everyLoad.filter((l) => l.after === 'disabled').map((l) => l.loadMs)),
    settledMs: median(everyLoad.map((l) => l.settledMs)),
  }

  const verdicts = []
  const result = (ok, known = true) => (known ? (ok ? 'PASS' : 'FAIL') : 'N/A')
  const label = path.padEnd(13)
  const dOk = disabled.loads > 0 && disabled.sdkTotalMax === 0 && disabled.sdkPaths.length === 0 && disabled.oxTotal === 0
  verdicts.push({
    route: path,
    kind: 'disabled-clean',
    text: `${label} disabled: SDK code ${kib(disabled.sdkTotalMax)} KiB, /_ox/ requests ${disabled.oxTotal} (bar: none)`,
    sdkBytes: disabled.sdkTotalMax,
    oxRequests: disabled.oxTotal,
    result: result(dOk, disabled.loads > 0),
  })
  const budgetKnown = Number.isFinite(addedBefore)
  verdicts.push({
    route: path,
    kind: 'js-before-load',
    text: `${label} enabled adds ${addedBefore >= 0 ? '+' : ''}${kib(addedBefore)} KiB gz JS before load (${kib(enabled.jsBefore)} vs ${kib(disabled.jsBefore)}; bar ≤ ${kib(BUDGET_BYTES)})`,
    addedBytes: addedBefore,
    bar: BUDGET_BYTES,
    result: result(addedBefore <= BUDGET_BYTES, budgetKnown),
  })
  const noisy = spread > 0.15 || enabled.noiseMedian > 0.5 || disabled.noiseMedian > 0.5
  verdicts.push({
    route: path,
    kind: 'load',
    text: `${label} enabled/disabled load ${fmt(medianOfRatios, 3)} (${fmt(enabled.loadMs, 0)} vs ${fmt(disabled.loadMs, 0)} ms; bar ≤ ${LOAD_RATIO_BAR.toFixed(2)})`,
    ratio: medianOfRatios,
    bar: LOAD_RATIO_BAR,
    ratioOfMedians,
    spread,
    noisy,
    result: result(medianOfRatios <= LOAD_RATIO_BAR, Number.isFinite(medianOfRatios)),
  })
  const sdkOk = enabled.loads > 0 && enabled.loadsWithSdkBefore === 0 && enabled.loadsWithExpectedSdksAfter === enabled.loads
  const sdkNames = [expected.posthog && 'PostHog', expected.sentry && 'Sentry'].filter(Boolean).join(' + ') || 'no SDK'
  verdicts.push({
    route: path,
    kind: 'sdks-after-load',
    text: `${label} enabled: ${sdkNames} loaded after load in ${enabled.loadsWithExpectedSdksAfter}/${enabled.loads} loads, SDK code before load in ${enabled.loadsWithSdkBefore} (bar: all / 0)`,
    result: result(sdkOk, enabled.loads > 0 && (expected.posthog || expected.sentry)),
  })
  return {
    path,
    what: PAGES[path].what,
    enabled,
    disabled,
    ratios: { perRound, medianOfRatios, ratioOfMedians, spread },
    carryOver,
    addedBeforeLoadBytes: addedBefore,
    verdicts,
  }
}

const uniqueBy = (xs, key) => [...new Map(xs.map((x) => [key(x), x])).values()]
function countPaths(list) {
  const out = {}
  for (const p of list) out[p] = (out[p] ?? 0) + 1
  return out
}
const kib = (bytes) => fmt(bytes / 1024, 1)

function compressionSummary(runs) {
  const scripts = runs.flatMap((r) => Object.values(r.pages).flatMap((p) => p.loads.flatMap((l) => l.scripts)))
  const out = { scripts: scripts.length, wire: 0, zlib: 0, none: 0, encodings: {}, wireVsZlib: NaN }
  for (const s of scripts) {
    out[s.from]++
    const k = s.enc ?? 'identity'
    out.encodings[k] = (out.encodings[k] ?? 0) + 1
  }
  const both = scripts.filter((s) => s.from === 'wire' && s.zlib > 0)
  if (both.length) out.wireVsZlib = both.reduce((a, s) => a + s.gz, 0) / both.reduce((a, s) => a + s.zlib, 0)
  return out
}

function methodDescription(opts, executablePath, chromiumVersion) {
  return {
    process: 'per round a fresh enabled and a fresh disabled next start (same .next build, DEBUG=1 in both), up together; loads alternate between them',
    order: opts.order === 'abba' ? 'per page E,D,D,E,E,D…' : 'per page E,D,E,D…',
    rounds: opts.rounds,
    loadsPerPage: opts.loads,
    warmup: 'one discarded load per page on each fresh server',
    browser: `Chromium ${chromiumVersion} headless (${executablePath}), one browser, a fresh context (cold cache, no cookies) per load, desktop Chrome UA, navigator.webdriver false`,
    afterLoad: `enabled: until the kit reports its SDKs loaded (≤ 15 s), then ${opts.browserSettle} s; disabled: ${opts.browserWait} s`,
    beforeLoad: 'script requested before navigation loadEventStart (resource timing startTime)',
    bytes: 'gzip: resource encodedBodySize when the response is Content-Encoding gzip, else zlib gzip (level 6) of the body',
    sdkDetection: `URL (.next/static chunks containing SDK code; /_ox/p/static/, /_ox/p/array/) or content (${Object.keys(SDK_SIGNATURES).join(', ')})`,
    verdictRatio: 'median of per-round ratios of median loadEventStart, enabled/disabled',
    bars: { addedBeforeLoadBytes: BUDGET_BYTES, loadRatio: LOAD_RATIO_BAR },
    enabledEnv: { POSTHOG_API_KEY: 'phc_benchkey1234567890', POSTHOG_HOST: 'http://127.0.0.1:<sink>', SENTRY_DSN: 'http://benchkey@127.0.0.1:<sink>/42', DEBUG: '1', ...opts.enabledEnv },
    disabledEnv: { DEBUG: '1' },
  }
}

function renderBrowser(result, opts) {
  const out = []
  const m = result.method
  out.push(`Browser: ${m.process} (${m.order}); ${m.rounds} round(s) × ${m.loadsPerPage} cold loads per page per configuration; ${m.warmup}`)
  out.push(`  ${m.browser}; after load: ${m.afterLoad}`)
  if (Object.keys(opts.enabledEnv).length) out.push(`  enabled config extra env: ${JSON.stringify(opts.enabledEnv)}`)
  const c = result.compression
  out.push(
    `  sizes: ${c.wire} of ${c.scripts} script responses gzip-encoded by next start (encodedBodySize used), ${c.zlib} not (zlib gzip of the body used), ${c.none} without body; ` +
      `encodings ${JSON.stringify(c.encodings)}; wire/zlib size ratio ${fmt(c.wireVsZlib, 3)}`,
  )
  for (const p of Object.values(result.pages)) {
    const { enabled: e, disabled: d } = p
    out.push('')
    out.push(`Page ${p.path}  (${p.what})`)
    const row = (name, a) => [
      name,
      fmt(a.loadMs, 0),
      a.loadPerRound.map((x) => fmt(x, 0)).join(' '),
      fmt(a.ttfbMs, 0),
      fmt(a.dclMs, 0),
      `${kib(a.jsBefore)}${a.jsBeforeMin !== a.jsBeforeMax ? ` (${kib(a.jsBeforeMin)}–${kib(a.jsBeforeMax)})` : ''}`,
      kib(a.jsAfter),
      `${kib(a.sdkBeforeMax)} / ${kib(a.sdkAfter)}`,
      `${a.oxBeforeMax} / ${fmt(a.oxAfter, 0)}`,
      kib(a.docGz),
      fmt(a.noiseMedian, 2),
      `${a.failures}/${a.loads + a.failures}`,
    ]
    out.push(
      table(
        ['config (median of loads)', 'load ms', 'load ms per round', 'TTFB ms', 'DCL ms', 'JS before load KiB gz', 'JS after load KiB gz', 'SDK KiB before / after', '/_ox/ req before / after', 'HTML KiB gz', 'noise cores', 'failed'],
        [row('enabled', e), row('disabled', d)],
      ),
    )
    out.push(
      `  load enabled/disabled: per round [${p.ratios.perRound.map((x) => fmt(x.ratio, 3)).join(', ')}], median of per-round ratios ${fmt(p.ratios.medianOfRatios, 3)}, ` +
        `ratio of medians ${fmt(p.ratios.ratioOfMedians, 3)}, spread ${fmt(p.ratios.spread, 3)}`,
    )
    const co = p.carryOver
    out.push(
      `  carry-over: loads right after an enabled load ${fmt(co.afterEnabledMs, 0)} ms, right after a disabled one ${fmt(co.afterDisabledMs, 0)} ms (median, both configs); ` +
        `waited ${fmt(co.settledMs, 0)} ms (median) per load for Chromium and the servers to go quiet`,
    )
    out.push(`  JS before load: enabled − disabled = ${p.addedBeforeLoadBytes >= 0 ? '+' : ''}${p.addedBeforeLoadBytes} B gz (${kib(p.addedBeforeLoadBytes)} KiB)`)
    if (e.glueBefore.length) out.push(`  kit eager glue before load (ships in both configs): ${e.glueBefore.map((g) => `${g.path.split('/').pop()} ${kib(g.gz)} KiB gz (whole chunk)`).join(', ')}`)
    out.push(`  enabled SDK chunks: ${e.sdkPaths.map((x) => x.split('/').pop()).join(', ') || 'none'}; first SDK request ${fmt(e.sdkFirstRequestMs, 0)} ms after load, kit ready (SDKs ran) ${fmt(e.readyMs, 0)} ms after load (medians)`)
    if (Object.keys(e.oxPaths).length) out.push(`  enabled /_ox/ requests (all loads): ${Object.entries(e.oxPaths).map(([k, n]) => `${k} ×${n}`).join(', ')}`)
    if (Object.keys(d.oxPaths).length) out.push(`  DISABLED /_ox/ requests (all loads): ${Object.entries(d.oxPaths).map(([k, n]) => `${k} ×${n}`).join(', ')}`)
    if (d.sdkPaths.length) out.push(`  DISABLED page fetched SDK code: ${d.sdkPaths.join(', ')}`)
    if (e.sdkBeforePaths.length) out.push(`  ENABLED page fetched SDK code BEFORE load: ${e.sdkBeforePaths.join(', ')}`)
    for (const [name, a] of [['enabled', e], ['disabled', d]]) {
      if (Object.keys(a.failedRequests).length) out.push(`  ${name} failed requests: ${Object.entries(a.failedRequests).map(([k, n]) => `${k} ×${n}`).join(', ')}`)
    }
    for (const v of p.verdicts) out.push(`  ${v.text} → ${v.result}${v.kind === 'load' && v.noisy ? '  (noisy)' : ''}`)
  }
  const bots = result.runs.reduce((n, r) => n + Object.values(r.pages).reduce((a, p) => a + p.loads.filter((l) => l.looksLikeBot).length, 0), 0)
  if (bots) out.push(`  WARNING: in ${bots} load(s) the page saw navigator.webdriver or a HeadlessChrome user agent; posthog-js drops all events there.`)
  if (result.medianNoiseCores > 0.5) {
    out.push('')
    out.push(`  WARNING: NOISY MACHINE — other processes used a median ${fmt(result.medianNoiseCores, 2)} cores (of ${navigatorCores()}) during the loads; load-time ratios are unreliable.`)
  }
  const s = result.sink
  out.push('')
  out.push(`  sink (whole rounds): ${s.requests} requests (posthog ${s.posthog}, sentry ${s.sentry}, other ${s.other}), all from the enabled servers (the disabled ones have no address to send to)`)
  return out
}

function navigatorCores() {
  try { return readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm).length } catch { return '?' }
}
