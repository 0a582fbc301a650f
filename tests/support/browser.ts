import { chromium, type Browser, type BrowserContext, type Page, type Request, type Response } from 'playwright-core'
import { observabilityPageState, type ObservabilityPageState } from 'nextjs-observability-kit/testing'
import { CHROMIUM_ARGS, DESKTOP_CHROME_UA, chromiumPath } from './chromium.mjs'

/**
 * Headless Chromium for the end-to-end tests, made to look like a visitor's desktop Chrome.
 *
 * posthog-js drops every event from a likely bot: a user agent containing `HeadlessChrome`, or
 * `navigator.webdriver === true`. The kit must not switch that filter off (a real deployment
 * wants it), so the tests pass as a normal browser instead:
 * - the user agent is set with the `--user-agent` launch flag, not the context's `userAgent`
 *   option: Chromium reverts to its HeadlessChrome UA for requests sent during `pagehide`
 *   (`$pageleave` beacons), which the context option does not cover;
 * - `--disable-blink-features=AutomationControlled` keeps `navigator.webdriver` false, and an
 *   init script pins it in case a Chromium build ignores the flag.
 */

export { DESKTOP_CHROME_UA }

/** Launches the system Chromium (`CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`); `extraArgs` adds flags. */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    timeout: 60_000,
  })
}

/** A fresh context (no cookies, no storage) that does not look automated. */
export async function newVisitor(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  await context.addInitScript(() => {
    if (navigator.webdriver) Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false, configurable: true })
  })
  context.setDefaultTimeout(30_000)
  context.setDefaultNavigationTimeout(60_000)
  return context
}

export interface NetworkEntry {
  readonly url: string
  readonly method: string
  readonly resourceType: string
  /** Milliseconds since the log started when the request was issued. */
  readonly at: number
  response?: Response
  /** The decoded response body, kept for scripts (read as soon as it finished: a navigation discards it). */
  body?: Buffer
  failed?: string
}

/** Every request a page (and its workers) issued, in order, with its response once it came. */
export interface NetworkLog {
  readonly entries: NetworkEntry[]
  /** Entries whose URL pathname starts with `prefix` (relative to any origin). */
  withPath(prefix: string): NetworkEntry[]
  /** Resolves once every body being read has been read. */
  settled(): Promise<void>
}

/** JavaScript: what the weight and no-SDK checks read back. */
export function isScript(entry: Pick<NetworkEntry, 'url' | 'resourceType'>): boolean {
  return entry.resourceType === 'script' || pathOf(entry.url).endsWith('.js')
}

/** Records every request of a context from now on, with the response (and script bodies) when they arrive. */
export function recordNetwork(context: BrowserContext): NetworkLog {
  const started = Date.now()
  const entries: NetworkEntry[] = []
  const byRequest = new Map<Request, NetworkEntry>()
  const reading = new Set<Promise<void>>()
  context.on('request', (request) => {
    const entry: NetworkEntry = { url: request.url(), method: request.method(), resourceType: request.resourceType(), at: Date.now() - started }
    byRequest.set(request, entry)
    entries.push(entry)
  })
  context.on('response', (response) => {
    const entry = byRequest.get(response.request())
    if (entry) entry.response = response
  })
  context.on('requestfinished', (request) => {
    const entry = byRequest.get(request)
    if (!entry || !isScript(entry) || entry.url.startsWith('blob:')) return
    const read: Promise<void> = request
      .response()
      .then((response) => response?.body())
      .then((body) => {
        entry.body = body
      })
      .catch(() => undefined)
      .finally(() => reading.delete(read))
    reading.add(read)
  })
  context.on('requestfailed', (request) => {
    const entry = byRequest.get(request)
    if (entry) entry.failed = request.failure()?.errorText ?? 'failed'
  })
  return {
    entries,
    withPath: (prefix) => entries.filter((e) => pathOf(e.url).startsWith(prefix)),
    settled: async () => {
      while (reading.size) await Promise.all([...reading])
    },
  }
}

export function pathOf(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return ''
  }
}

/**
 * Holds back the responses for these URL paths (the SDK chunks) until `release()` is called, so
 * a test can act in the window between hydration and the SDKs' arrival, however fast the machine.
 */
export async function holdRequests(context: BrowserContext, paths: readonly string[]): Promise<{ release(): void }> {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  await context.route(
    (url) => paths.includes(url.pathname),
    async (route) => {
      await released
      await route.continue().catch(() => undefined)
    },
  )
  return { release }
}

/** Resolves once React has hydrated the element (its event handlers are attached). */
export async function waitForHydrated(page: Page, selector: string, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(
    (sel) => {
      const el = document.querySelector(sel)
      return !!el && Object.keys(el).some((k) => k.startsWith('__reactProps$'))
    },
    selector,
    { timeout: timeoutMs, polling: 50 },
  )
}

/** The kit's state in this page: the testing entry's snapshot, run in the page. */
export function pageState(page: Page): Promise<ObservabilityPageState> {
  return page.evaluate(observabilityPageState)
}

/** The kit's loading phase in this page: `idle`, `scheduled` (SDKs on their way) or `ready`. */
export async function kitPhase(page: Page): Promise<ObservabilityPageState['phase']> {
  return (await pageState(page)).phase
}

/**
 * Resolves once `condition`, a JavaScript expression over `state` (an `ObservabilityPageState`),
 * holds in the page. The snapshot function reads only globals, so its source runs in the page.
 */
export async function waitForPageState(page: Page, condition: string, what: string, timeoutMs = 60_000): Promise<void> {
  const expression = `((state) => ${condition})((${observabilityPageState.toString()})())`
  await explainTimeout(page, what, () => page.waitForFunction(expression, undefined, { timeout: timeoutMs, polling: 100 }))
}

/** Resolves once the kit has loaded its SDKs in this page (or gave up), i.e. after `load` + idle. */
export async function waitForKitReady(page: Page, timeoutMs = 60_000): Promise<void> {
  await waitForPageState(page, "state.phase === 'ready'", 'the kit to load its SDKs', timeoutMs)
}

/**
 * Resolves once posthog-js has also applied its remote config (replay recording started): every
 * extension it starts from that config has been told by then, so `posthogCapturesExceptions`
 * says for good whether posthog-js would report an uncaught error itself.
 */
export async function waitForPostHogStarted(page: Page, timeoutMs = 60_000): Promise<void> {
  await waitForPageState(page, 'state.recording', 'posthog-js to start recording', timeoutMs)
}

/**
 * Resolves once the page has had the idle time the kit waits for before it loads the SDKs: an
 * idle callback queued now, with the kit's own deadline, runs after any the kit queued before.
 * With the backends off, the kit queues none; this shows it did not.
 */
export async function pastKitStart(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestIdleCallback(() => resolve(), { timeout: 2_000 })))
}

/** A timeout that says where the page stood: which phase, which SDKs, which scripts failed. */
async function explainTimeout(page: Page, what: string, wait: () => Promise<unknown>): Promise<void> {
  const failed: string[] = []
  const onFailed = (request: Request) => failed.push(`${request.url()} (${request.failure()?.errorText ?? 'failed'})`)
  page.on('requestfailed', onFailed)
  try {
    await wait()
  } catch (error) {
    const state = await page
      .evaluate(observabilityPageState)
      .then((s) => ({ url: page.url(), ...s }))
      .catch((e: unknown) => ({ unavailable: String(e) }))
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state)}; failed requests: ${failed.join(', ') || 'none'}\n${String(error)}`)
  } finally {
    page.off('requestfailed', onFailed)
  }
}

/** The page's posthog-js ids once loaded, for linking assertions. */
export async function posthogIds(page: Page): Promise<{ distinctId?: string; sessionId?: string }> {
  const { distinctId, sessionId } = await pageState(page)
  return { distinctId, sessionId }
}
