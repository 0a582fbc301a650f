import { resetKitForTests } from './client/kit.js'
import { resetHostForTests } from './server/host-may-freeze.js'
import { resetPostHogForTests } from './server/posthog-client.js'
import { resetConfigForTests } from './shared/get-config.js'

/**
 * Entry for the app's own tests: start each case from a clean kit, and read the kit's state in a
 * browser page. Not for production code.
 *
 * Leaves out everything else: tests use the public entries (`/server`, `/client`, `/edge`) as an
 * app does.
 */

export { observabilityPageState, type ObservabilityPageState } from './client/page-state.js'

/**
 * Forgets what the kit read and started in this process, so the next call reads `process.env`
 * again: the parsed config, the posthog-node client (discarded, nothing delivered) and what it
 * judged of the host. Call it after changing the environment between cases.
 *
 * @example
 * process.env.POSTHOG_API_KEY = 'phc_test…'
 * resetObservability()
 */
export function resetObservability(): void {
  resetPostHogForTests()
  resetConfigForTests()
  resetHostForTests()
}

/**
 * For browser-side unit tests (jsdom): the page's kit starts over, its listeners removed.
 *
 * @example
 * afterEach(() => resetObservabilityInPage())
 */
export function resetObservabilityInPage(): void {
  resetKitForTests()
}
