import 'server-only'
/**
 * Next.js signals `redirect()`, `notFound()`, `forbidden()`, `unauthorized()` and dynamic
 * rendering bail-outs by throwing. They are control flow, never errors to report, and must be
 * rethrown untouched so Next can act on them.
 */
const CONTROL_FLOW_DIGESTS = [
  'NEXT_REDIRECT',
  'NEXT_NOT_FOUND',
  'NEXT_HTTP_ERROR_FALLBACK',
  'DYNAMIC_SERVER_USAGE',
  'BAILOUT_TO_CLIENT_SIDE_RENDERING',
  'NEXT_PRERENDER_INTERRUPTED',
  'HANGING_PROMISE_REJECTION',
  'NEXT_STATIC_GEN_BAILOUT',
]

export function isNextControlFlow(thrown: unknown): boolean {
  const digest = digestOf(thrown)
  return digest !== undefined && CONTROL_FLOW_DIGESTS.some((d) => digest.startsWith(d))
}

/** The HTTP status Next will answer for a control-flow throw (307 for a default redirect, 404…). */
export function controlFlowStatus(thrown: unknown): number {
  const digest = digestOf(thrown) ?? ''
  if (digest.startsWith('NEXT_REDIRECT')) {
    const code = Number(digest.split(';')[3])
    return Number.isInteger(code) && code >= 300 && code < 400 ? code : 307
  }
  if (digest.startsWith('NEXT_HTTP_ERROR_FALLBACK')) {
    const code = Number(digest.split(';')[1])
    return Number.isInteger(code) ? code : 404
  }
  if (digest.startsWith('NEXT_NOT_FOUND')) return 404
  return 200
}

function digestOf(thrown: unknown): string | undefined {
  if (!thrown || typeof thrown !== 'object') return undefined
  const d = (thrown as { digest?: unknown }).digest
  return typeof d === 'string' ? d : undefined
}
