'use client'

import { retainErrorListeners } from './error-listeners.js'
import { getKit } from './kit.js'
import { startObservability } from './start-observability.js'

/**
 * The kit's entry in `instrumentation-client.ts`, which Next runs after the HTML is parsed and
 * before hydration: errors thrown from then on are kept until the SDKs have loaded, instead of
 * only those after React mounted the provider. Costs a config read and two listeners; loads no
 * SDK (they come after `load`), and does nothing at all when both backends are off.
 *
 * @example
 * // instrumentation-client.ts
 * import { bootObservability } from 'nextjs-observability-kit/client'
 * bootObservability()
 */
export function bootObservability(): boolean {
  try {
    const on = startObservability()
    const listeners = getKit().listeners
    if (on && !listeners.heldByBoot) {
      listeners.heldByBoot = true
      // Held for the page's lifetime: the root layout (and its provider) can be replaced by
      // global-error, and errors there must still be caught.
      retainErrorListeners()
    }
    return on
  } catch {
    return false
  }
}
