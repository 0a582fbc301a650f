import 'server-only'
/**
 * Where local mode keeps what it receives, and how much (docs/configuration.md). Pure: takes the
 * environment, returns the settings plus the warnings to print once, like `parseConfig`. Kept
 * apart from the main config because only local mode's store reads it.
 */

export interface LocalStoreSettings {
  /** As given: relative paths are resolved against the server's working directory. */
  readonly dir: string
  /** Most events kept; the oldest are dropped first. */
  readonly maxEvents: number
  /** Most bytes kept on disk, all segment files together. */
  readonly maxBytes: number
}

export const DEFAULT_LOCAL_DIR = '.observability'
export const DEFAULT_LOCAL_MAX_EVENTS = 5_000
export const DEFAULT_LOCAL_MAX_MB = 50

const MB = 1024 * 1024

type Env = Readonly<Record<string, string | undefined>>

/**
 * `OBSERVABILITY_LOCAL_DIR`, `OBSERVABILITY_LOCAL_MAX_EVENTS` (10–1,000,000) and
 * `OBSERVABILITY_LOCAL_MAX_MB` (1–10,000). A bad value warns once and keeps the default.
 *
 * @example
 * parseLocalStoreSettings({ OBSERVABILITY_LOCAL_MAX_EVENTS: '200' }).settings.maxEvents // 200
 */
export function parseLocalStoreSettings(env: Env): { settings: LocalStoreSettings; warnings: string[] } {
  const warnings: string[] = []
  const number = (name: string, fallback: number, min: number, max: number, integer: boolean): number => {
    const raw = env[name]?.trim()
    if (!raw) return fallback
    const value = Number(raw)
    if (Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value))) return value
    warnings.push(
      `${name}=${JSON.stringify(raw.slice(0, 40))} is invalid (expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}); using ${fallback}.`,
    )
    return fallback
  }
  const dir = env.OBSERVABILITY_LOCAL_DIR?.trim() || DEFAULT_LOCAL_DIR
  const maxEvents = number('OBSERVABILITY_LOCAL_MAX_EVENTS', DEFAULT_LOCAL_MAX_EVENTS, 10, 1_000_000, true)
  const maxMb = number('OBSERVABILITY_LOCAL_MAX_MB', DEFAULT_LOCAL_MAX_MB, 1, 10_000, false)
  return { settings: Object.freeze({ dir, maxEvents, maxBytes: Math.round(maxMb * MB) }), warnings }
}
