'use client'

import { parseCookie } from 'cookie'
import { useEffect, useState } from 'react'
import { ObservabilityProvider, type ObservedUser } from 'nextjs-observability-kit/client'
import { DEMO_USER_CHANGED, DEMO_USER_COOKIE, parseDemoUser } from '@/lib/demo/user'

/**
 * The demo's user for the provider, read from the fake sign-in cookie in the browser. Reading it
 * on the server (in the layout) would make every page dynamic; a real app passes its session the
 * same way, or from a server layout that is dynamic anyway.
 */
export function DemoObservability() {
  const [user, setUser] = useState<ObservedUser | null | undefined>(undefined)
  useEffect(() => {
    const read = () => setUser(parseDemoUser(parseCookie(document.cookie)[DEMO_USER_COOKIE]))
    read()
    window.addEventListener(DEMO_USER_CHANGED, read)
    return () => window.removeEventListener(DEMO_USER_CHANGED, read)
  }, [])
  return <ObservabilityProvider user={user} />
}
