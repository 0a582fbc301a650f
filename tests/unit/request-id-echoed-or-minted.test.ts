import { NextRequest, NextResponse, type NextFetchEvent } from 'next/server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { withObservability } from 'nextjs-observability-kit/edge'
import { resetObservability } from 'nextjs-observability-kit/testing'

const event = {} as NextFetchEvent
const saved = { ...process.env }

function request(headers: Record<string, string> = {}, url = 'http://app.test/page') {
  return new NextRequest(url, { headers })
}

/** What Next forwards to the app for a "continue" response (x-middleware-override-headers). */
function forwardedRequestHeaders(response: Response): Record<string, string> | null {
  const list = response.headers.get('x-middleware-override-headers')
  if (list === null) return null
  return Object.fromEntries(list.split(',').map((k) => [k, response.headers.get(`x-middleware-request-${k}`) ?? '']))
}

beforeEach(() => {
  for (const k of ['POSTHOG_API_KEY', 'SENTRY_DSN']) delete process.env[k]
  resetObservability()
})
afterEach(() => {
  process.env = { ...saved }
  resetObservability()
})

describe('every request gets an X-Request-ID: its own when valid, else a fresh one, echoed and readable by the app', () => {
  describe('in the middleware alone', () => {
    it('keeps a valid incoming id, echoes it and forwards it', async () => {
      const res = await withObservability()(request({ 'x-request-id': 'lb-1234', accept: '*/*' }), event)
      expect(res.headers.get('x-request-id')).toBe('lb-1234')
      expect(forwardedRequestHeaders(res)).toMatchObject({ 'x-request-id': 'lb-1234', accept: '*/*' })
    })

    it.each(['', 'has space', 'x'.repeat(300), '<b>hi</b>'])('replaces the malformed id %j everywhere', async (bad) => {
      const res = await withObservability()(request(bad ? { 'x-request-id': bad } : {}), event)
      const id = res.headers.get('x-request-id')
      expect(id).toMatch(/^[0-9a-f-]{36}$/)
      expect(forwardedRequestHeaders(res)?.['x-request-id']).toBe(id)
    })
  })

  describe('composes with the app’s own middleware', () => {
    it('hands the app a request that already carries the id', async () => {
      let seen: string | null = null
      await withObservability((req) => {
        seen = req.headers.get('x-request-id')
        return undefined
      })(request({ 'x-request-id': 'abc' }), event)
      expect(seen).toBe('abc')
    })

    it('keeps an app redirect and adds the header', async () => {
      const res = await withObservability((req) => NextResponse.redirect(new URL('/login', req.url)))(request(), event)
      expect(res.status).toBe(307)
      expect(res.headers.get('location')).toBe('http://app.test/login')
      expect(res.headers.get('x-request-id')).toBeTruthy()
      expect(forwardedRequestHeaders(res)).toBeNull()
    })

    it('keeps an app response (auth refusal)', async () => {
      const res = await withObservability(() => new Response('no', { status: 401 }))(request(), event)
      expect(res.status).toBe(401)
      expect(await res.text()).toBe('no')
      expect(res.headers.get('x-request-id')).toBeTruthy()
    })

    it('merges with request headers the app overrides itself', async () => {
      const res = await withObservability((req) => {
        const headers = new Headers(req.headers)
        headers.set('x-tenant', 'acme')
        return NextResponse.next({ request: { headers } })
      })(request({ 'x-request-id': 'keep-me' }), event)
      expect(forwardedRequestHeaders(res)).toMatchObject({ 'x-tenant': 'acme', 'x-request-id': 'keep-me' })
    })

    it('adds the id to an app rewrite that does not override headers', async () => {
      const res = await withObservability((req) => NextResponse.rewrite(new URL('/en/page', req.url)))(
        request({ 'x-request-id': 'rw-1', accept: 'text/html' }),
        event,
      )
      expect(res.headers.get('x-middleware-rewrite')).toBe('http://app.test/en/page')
      expect(forwardedRequestHeaders(res)).toMatchObject({ 'x-request-id': 'rw-1', accept: 'text/html' })
    })

    it('lets the app’s own errors propagate (fails closed like the app would)', async () => {
      await expect(
        withObservability(() => {
          throw new Error('auth backend down')
        })(request(), event),
      ).rejects.toThrow('auth backend down')
    })
  })
})
