import { getKit, notify, type FlagValue, type Flags } from './kit.js'

/**
 * The page's feature-flag values, outside React so the hook needs no provider: server-evaluated
 * bootstrap values until posthog-js has loaded its own, then posthog-js's values (which also
 * follow `identify()`). See `useFeatureFlag` for the React binding.
 */

/** @internal The current value of one flag, or undefined when unknown (PostHog off, not loaded, no such flag). */
export function getFlag(key: string): FlagValue | undefined {
  const { live, bootstrap } = getKit().flags
  return (live ?? bootstrap)?.[key]
}

/** @internal Calls `listener` whenever flag values change; returns the unsubscribe function. */
export function subscribeFlags(listener: () => void): () => void {
  const { listeners } = getKit().flags
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

/**
 * @internal Records server-evaluated flags (and, for a visitor the server saw first, the anonymous id it
 * minted) so posthog-js starts with them instead of fetching and flickering. Called while
 * rendering, so it never notifies: components below the bootstrap read the same values from
 * context, and nothing else can have rendered a different value yet.
 */
export function seedFlagBootstrap(flags: Flags, distinctId: string | undefined): void {
  const state = getKit().flags
  state.bootstrap = state.bootstrap ? { ...state.bootstrap, ...flags } : { ...flags }
  if (distinctId && !state.distinctId) state.distinctId = distinctId
}

/** @internal posthog-js reports its flag values (after loading, reloading or `identify()`). */
export function setLiveFlags(flags: Flags): void {
  const state = getKit().flags
  const before = state.live ?? state.bootstrap
  state.live = { ...flags }
  if (!sameFlags(before, state.live)) notify([...state.listeners])
}

function sameFlags(a: Flags | null, b: Flags): boolean {
  if (!a) return Object.keys(b).length === 0
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])
}
