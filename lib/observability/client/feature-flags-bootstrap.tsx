'use client'

import { createContext, type ReactNode } from 'react'
import type { Flags } from './kit.js'
import { seedFlagBootstrap } from './flags.js'

/** Server-evaluated flags for this subtree; read by `useFeatureFlag` during SSR and hydration. */
export const FlagBootstrapContext = createContext<Flags | null>(null)

export interface FeatureFlagsBootstrapProps {
  /** Flag values the server evaluated for this visitor (`getAllFlags(distinctId)`). */
  flags: Flags
  /**
   * Only when the server minted the visitor's id (no PostHog cookie yet): posthog-js adopts it, so
   * the flags above stay the visitor's flags.
   */
  distinctId?: string
  children?: ReactNode
}

/**
 * Hands server-evaluated flags to the browser so the first render (server HTML included) already
 * shows the right variant, and posthog-js starts from them instead of refetching: no flicker.
 *
 * @example
 * // a dynamic server page
 * const { flags, distinctId } = await getFlagBootstrap()
 * return <FeatureFlagsBootstrap flags={flags} distinctId={distinctId}><Checkout /></FeatureFlagsBootstrap>
 */
export function FeatureFlagsBootstrap({ flags, distinctId, children }: FeatureFlagsBootstrapProps) {
  // During render, not in an effect: the SDK may start before this subtree's effects run.
  if (typeof window !== 'undefined') seedFlagBootstrap(flags, distinctId)
  return <FlagBootstrapContext.Provider value={flags}>{children}</FlagBootstrapContext.Provider>
}
