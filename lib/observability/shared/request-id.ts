/**
 * Request ids (docs/events.md). Pure and Web-API only, so the middleware can use it on the Edge
 * runtime and from a Node `proxy.ts` alike.
 */

export const REQUEST_ID_HEADER = 'x-request-id'

const VALID = /^[A-Za-z0-9._:-]{1,128}$/

/** True for an id a load balancer or upstream service may hand us: 1–128 of `[A-Za-z0-9._:-]`. */
export function isValidRequestId(value: string | null | undefined): value is string {
  return typeof value === 'string' && VALID.test(value)
}

/** Keeps a valid incoming id; anything else (absent, empty, too long, markup, spaces) gets a fresh UUID. */
export function resolveRequestId(incoming: string | null | undefined): string {
  return isValidRequestId(incoming) ? incoming : crypto.randomUUID()
}
