import 'server-only'
/**
 * Cuts a string to `max` characters and says how much was cut, so a reader of the event knows
 * the value is partial (`POSTHOG_LLM_PAYLOAD_MAX_CHARS`, docs/configuration.md).
 */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value
  // Never split a surrogate pair: a lone surrogate turns into U+FFFD or breaks JSON consumers.
  let end = Math.max(0, max)
  const code = value.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end -= 1
  return `${value.slice(0, end)}…[truncated ${value.length - end} chars]`
}
