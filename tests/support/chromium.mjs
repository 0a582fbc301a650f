// How every headless Chromium of this repository is launched, the end-to-end tests'
// (tests/support/browser.ts) and the benchmark's (bench/e2e/browser-table.mjs): one list, so the
// benchmark measures the browser the tests check. Plain JavaScript so that both can import it.
// Why each flag: see tests/support/browser.ts.

/** A normal desktop Chrome user agent: posthog-js drops every event from `HeadlessChrome`. */
export const DESKTOP_CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36'

/** Launch flags: no sandbox or GPU (containers), no background traffic, not marked as automated. */
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-blink-features=AutomationControlled',
  `--user-agent=${DESKTOP_CHROME_UA}`,
])

/** The system Chromium: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium'
}
