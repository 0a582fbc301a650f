import { chromium, type Browser, type BrowserContext, type Page, type Request, type Response } from 'playwright-core'

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

export const DESKTOP_CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36'

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-blink-features=AutomationControlled',
  `--user-agent=${DESKTOP_CHROME_UA}`,
]

/** Launches the system Chromium (`CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`); `extraArgs` adds flags. */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [...ARGS, ...extraArgs],
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

/** The kit's loading phase in this page: `idle`, `scheduled` (SDKs on their way) or `ready`. */
export function kitPhase(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (globalThis as unknown as Record<symbol, { phase?: string } | undefined>)[Symbol.for('observability.kit.browser')]?.phase)
}

/** Resolves once the kit has loaded its SDKs in this page (or gave up), i.e. after `load` + idle. */
export async function waitForKitReady(page: Page, timeoutMs = 60_000): Promise<void> {
  await explainTimeout(page, 'the kit to load its SDKs', () =>
    page.waitForFunction(
      () => (globalThis as unknown as Record<symbol, { phase?: string } | undefined>)[Symbol.for('observability.kit.browser')]?.phase === 'ready',
      undefined,
      { timeout: timeoutMs, polling: 100 },
    ),
  )
}

/**
 * Resolves once posthog-js has also applied its remote config (replay recording started), after
 * which the extensions it would start from that config (exception autocapture, replay) are live.
 * Errors thrown before then could not reveal a second, SDK-owned report.
 */
export async function waitForPostHogStarted(page: Page, timeoutMs = 60_000): Promise<void> {
  await explainTimeout(page, 'posthog-js to start recording', () =>
    page.waitForFunction(
      () => {
        const kit = (globalThis as unknown as Record<symbol, { backends?: { posthog?: { instance: { sessionRecordingStarted(): boolean } } | null } } | undefined>)[
          Symbol.for('observability.kit.browser')
        ]
        return kit?.backends?.posthog?.instance.sessionRecordingStarted() === true
      },
      undefined,
      { timeout: timeoutMs, polling: 100 },
    ),
  )
  // Lazy extension scripts are fetched right after the remote config; give them a moment to run.
  await page.waitForTimeout(1_000)
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
      .evaluate(() => {
        const kit = (globalThis as unknown as Record<symbol, { phase?: string; backends?: { posthog?: unknown; sentry?: unknown } } | undefined>)[Symbol.for('observability.kit.browser')]
        return { url: location.href, phase: kit?.phase, posthog: !!kit?.backends?.posthog, sentry: !!kit?.backends?.sentry }
      })
      .catch((e: unknown) => ({ unavailable: String(e) }))
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state)}; failed requests: ${failed.join(', ') || 'none'}\n${String(error)}`)
  } finally {
    page.off('requestfailed', onFailed)
  }
}

/** The page's posthog-js ids once loaded (read through the kit's backend), for linking assertions. */
export async function posthogIds(page: Page): Promise<{ distinctId?: string; sessionId?: string }> {
  return page.evaluate(() => {
    const kit = (globalThis as unknown as Record<symbol, { backends?: { posthog?: { distinctId(): string | undefined; sessionId(): string | undefined } | null } } | undefined>)[
      Symbol.for('observability.kit.browser')
    ]
    return { distinctId: kit?.backends?.posthog?.distinctId(), sessionId: kit?.backends?.posthog?.sessionId() }
  })
}

/** Waits until nothing new arrived for `quietMs` (events keep trickling after a batch flush). */
export async function settle<T>(read: () => T[], quietMs = 4_000, maxMs = 30_000): Promise<T[]> {
  const deadline = Date.now() + maxMs
  let last = read().length
  let since = Date.now()
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200))
    const n = read().length
    if (n !== last) {
      last = n
      since = Date.now()
    } else if (Date.now() - since >= quietMs) break
  }
  return read()
}
