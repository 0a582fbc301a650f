/**
 * Whether the demo's debug routes (`/debug/*`, `/api/debug/*`) answer: always under `next dev`,
 * and in a production build only with `DEBUG=1`. Read at runtime, so one build serves both. Runs
 * on the Edge runtime too (the demo's middleware throws on request). An unreadable `DEBUG` keeps
 * them off, with one warning.
 */
export function debugRoutesEnabled(): boolean {
  if (process.env.NODE_ENV === 'development') return true
  const value = process.env.DEBUG?.trim().toLowerCase() ?? ''
  if (value === '' || FALSE.has(value)) return false
  if (TRUE.has(value)) return true
  if (!warned) {
    warned = true
    console.warn(`[demo] DEBUG=${JSON.stringify(value.slice(0, 20))} is not true/false (1/0, yes/no, on/off); the debug routes stay off.`)
  }
  return false
}

const TRUE = new Set(['1', 'true', 'yes', 'on'])
const FALSE = new Set(['0', 'false', 'no', 'off'])
let warned = false
