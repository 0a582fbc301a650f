/**
 * Thrown for a body the real ingestion service would refuse. Carries the HTTP status so a
 * route (or the test fake) can answer the way PostHog or Relay would instead of crashing.
 *
 * @example
 * try { decodeIngestRequest(req) } catch (e) { if (e instanceof DecodeError) return reply(e.status, e.message) }
 */
export class DecodeError extends Error {
  readonly status: number

  constructor(message: string, status = 400) {
    super(message)
    this.name = 'DecodeError'
    this.status = status
  }
}

/** 413 rather than 400, because the body may be valid and merely bigger than we allow. */
export function tooLarge(what: string, limit: number): DecodeError {
  return new DecodeError(`request is larger than ${limit} bytes once decompressed (at the ${what})`, 413)
}
