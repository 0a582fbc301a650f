import 'server-only'
import { headers } from 'next/headers'
import { REQUEST_ID_HEADER, isValidRequestId } from '../shared/request-id.js'
import { currentRequestContext } from './request-context.js'

/**
 * The current request's id in route handlers, server components and server actions. Inside a
 * wrapper it comes from the request context; elsewhere from the header the middleware set, which
 * makes a server component dynamic (it reads `headers()`), as any per-request value must.
 */
export async function getRequestId(): Promise<string | undefined> {
  const ctx = currentRequestContext()
  if (ctx) return ctx.requestId
  try {
    const value = (await headers()).get(REQUEST_ID_HEADER)
    return isValidRequestId(value) ? value : undefined
  } catch {
    return undefined
  }
}
