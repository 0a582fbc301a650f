import 'server-only'
import { settleWithin } from '../shared/settle-within.js'
import { getPostHog } from './posthog-client.js'

export interface FlagOptions<T> {
  /** Returned when PostHog is off, slow, failing, or does not know the flag. */
  default: T
  /** How long the page may wait for PostHog. */
  timeoutMs?: number
  personProperties?: Record<string, string>
}

/**
 * Server-side flag check that always answers: the default when PostHog is off, slow (past
 * `timeoutMs`, 1 s by default) or failing. A flag is a product decision; an outage of the
 * analytics vendor must not become an outage of the product.
 *
 * @example
 * const on = await isFeatureEnabled('new-checkout', userId, { default: false })
 */
export async function isFeatureEnabled(flag: string, distinctId: string, options: FlagOptions<boolean>): Promise<boolean> {
  const value = await getFlag(flag, distinctId, options)
  return typeof value === 'boolean' ? value : typeof value === 'string' ? true : options.default
}

/** The flag's value (boolean or variant key), or the default on any failure. */
export async function getFlag<T extends boolean | string>(flag: string, distinctId: string, options: FlagOptions<T>): Promise<boolean | string | T> {
  const posthog = getPostHog()
  if (!posthog) return options.default
  let result: boolean | string | undefined
  const lookup = posthog
    .getFeatureFlag(flag, distinctId, { personProperties: options.personProperties })
    .then((v) => {
      result = v
    })
    .catch(() => undefined)
  await settleWithin(lookup, options.timeoutMs ?? 1_000)
  return result === undefined ? options.default : result
}

/**
 * All flags for one visitor, for bootstrapping the browser so the first render is right.
 * Empty when PostHog is off, slow or failing.
 */
export async function getAllFlags(distinctId: string, options: { timeoutMs?: number } = {}): Promise<Record<string, boolean | string>> {
  const posthog = getPostHog()
  if (!posthog) return {}
  let result: Record<string, boolean | string> = {}
  const lookup = posthog
    .getAllFlags(distinctId)
    .then((v) => {
      result = v ?? {}
    })
    .catch(() => undefined)
  await settleWithin(lookup, options.timeoutMs ?? 1_000)
  return result
}
