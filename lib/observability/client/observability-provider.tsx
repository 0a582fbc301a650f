'use client'

import { usePathname } from 'next/navigation'
import { useEffect, type ReactNode } from 'react'
import type { ObservedUser } from '../shared/user.js'
import { retainErrorListeners } from './error-listeners.js'
import { trackPageview } from './pageviews.js'
import { startObservability } from './start-observability.js'
import { setObservedUser } from './user-store.js'

export interface ObservabilityProviderProps {
  /**
   * The signed-in user, from the app's own session, never a global: applied per
   * `POSTHOG_IDENTIFY_PII`. Leave it `undefined` while unknown; pass `null` when signed out.
   */
  user?: ObservedUser | null
  /** Optional: the provider renders its children unchanged, or nothing. */
  children?: ReactNode
}

/**
 * Turns on PostHog and Sentry in the browser when the server enabled them: pageviews for every
 * App Router navigation, errors, identity, replay and flags. Render it once, in the root layout;
 * it renders no markup of its own, so it can sit next to `children` and keep static pages static.
 *
 * The SDKs are fetched after the `load` event (nothing at all when both backends are off), and
 * initialised exactly once per page however often this mounts (StrictMode, nested layouts).
 *
 * @example
 * // app/layout.tsx (a server component)
 * <body>
 *   {children}
 *   <ObservabilityProvider user={session?.user ?? null} />
 * </body>
 */
export function ObservabilityProvider({ user, children }: ObservabilityProviderProps) {
  const pathname = usePathname()

  useEffect(() => {
    if (!startObservability()) return
    return retainErrorListeners()
  }, [])

  const id = user?.id
  const email = user?.email
  const name = user?.name
  const signedOut = user === null
  useEffect(() => {
    setObservedUser(id ? { id, email, name } : signedOut ? null : undefined)
  }, [id, email, name, signedOut])

  useEffect(() => {
    trackPageview()
  }, [pathname])

  return children ?? null
}
