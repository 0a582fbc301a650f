import type { ObservedUser } from '../shared/user.js'
import { getKit, notify } from './kit.js'

/**
 * @internal The app's current user, as the provider was given it. `undefined` leaves identity alone (the
 * app does not know yet); `null` means signed out. The SDK glue applies it per
 * `POSTHOG_IDENTIFY_PII` whenever it changes, before or after the SDKs load.
 */
export function setObservedUser(user: ObservedUser | null | undefined): void {
  const page = getKit().page
  if (sameUser(page.user, user)) return
  page.user = user ? { id: user.id, email: user.email ?? null, name: user.name ?? null } : user
  notify([...page.userListeners])
}

/** @internal Subscribes to user changes; returns the unsubscribe function. */
export function subscribeUser(listener: () => void): () => void {
  const { userListeners } = getKit().page
  userListeners.add(listener)
  return () => {
    userListeners.delete(listener)
  }
}

function sameUser(a: ObservedUser | null | undefined, b: ObservedUser | null | undefined): boolean {
  if (!a || !b) return a === b
  return a.id === b.id && (a.email ?? null) === (b.email ?? null) && (a.name ?? null) === (b.name ?? null)
}
