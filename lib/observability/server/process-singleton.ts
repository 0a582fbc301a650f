import 'server-only'

/**
 * One value per process. Next bundles instrumentation.ts and each route separately, so a
 * module-level variable exists once per bundle; state the whole process must share (the
 * posthog-node client, the loaded Sentry module) is keyed on `globalThis` instead.
 */
export function processSingleton<T>(key: string, create: () => T): T {
  const store = globalThis as unknown as Record<symbol, T | undefined>
  const symbol = Symbol.for(`observability.${key}`)
  if (!(symbol in store)) store[symbol] = create()
  return store[symbol] as T
}
