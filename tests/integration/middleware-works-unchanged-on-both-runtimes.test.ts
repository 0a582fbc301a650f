import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, ROOT, startNext, TEST_DIST_DIR, type NextServer } from '../support/next-server'

/**
 * Next 16 runs `proxy.ts` on Node, `middleware.ts` on the Edge runtime. The kit ships one
 * function for both: this builds a copy of the demo whose `proxy.ts` composes it with an app's own
 * logic (redirect, refusal, its own header overrides) and checks the result over HTTP.
 */
const FIXTURE = join(ROOT, '.test-builds/proxy-app')

const PROXY = `import { NextResponse } from 'next/server'
import { withObservability } from 'nextjs-observability-kit/edge'

export const proxy = withObservability(async (request) => {
  const runtime = typeof (globalThis as { EdgeRuntime?: string }).EdgeRuntime === 'string' ? 'edge' : 'nodejs'
  if (request.nextUrl.pathname === '/old-home') return NextResponse.redirect(new URL('/', request.url))
  if (request.headers.get('x-block') === '1') return new Response('blocked', { status: 403 })
  const headers = new Headers(request.headers)
  headers.set('x-tenant', 'acme')
  headers.set('x-seen-request-id', request.headers.get('x-request-id') ?? 'none')
  const response = NextResponse.next({ request: { headers } })
  response.headers.set('x-proxy-runtime', runtime)
  return response
})

export const config = {
  matcher: ['/((?!_next/static|_next/image|_ox/|favicon\\\\.ico).*)'],
}
`

const ECHO = `export function GET(request: Request) {
  return Response.json({ requestId: request.headers.get('x-request-id'), tenant: request.headers.get('x-tenant'), seen: request.headers.get('x-seen-request-id') })
}
`

let app: NextServer

beforeAll(async () => {
  rmSync(FIXTURE, { recursive: true, force: true })
  mkdirSync(FIXTURE, { recursive: true })
  // The demo without its middleware.ts; the kit comes from the built package, as in an app.
  for (const entry of ['app', 'components', 'lib/demo', 'public', 'instrumentation.ts', 'next.config.ts', 'tsconfig.json', 'package.json']) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(FIXTURE, entry), { recursive: true })
  }
  writeFileSync(join(FIXTURE, 'proxy.ts'), PROXY)
  mkdirSync(join(FIXTURE, 'app/api/echo-headers'), { recursive: true })
  writeFileSync(join(FIXTURE, 'app/api/echo-headers/route.ts'), ECHO)
  await buildApp(FIXTURE)
  // PostHog on (pointed at a closed port: telemetry fails open) so the proxy hands out a browser config.
  app = await startNext({ POSTHOG_API_KEY: 'phc_proxyfixture123456', POSTHOG_HOST: 'http://127.0.0.1:9' }, FIXTURE)
})
afterAll(async () => {
  await app?.stop()
})

describe('the kit’s middleware works unchanged on both runtimes', () => {
  describe('the kit’s middleware works unchanged from a Node proxy.ts', () => {
    it('runs on the Node runtime there', async () => {
      const res = await fetch(`${app.url}/api/echo-headers`)
      expect(res.headers.get('x-proxy-runtime')).toBe('nodejs')
    })

    it('keeps a valid id, forwards it to the route together with the app’s own header overrides', async () => {
      const res = await fetch(`${app.url}/api/echo-headers`, { headers: { 'x-request-id': 'proxy-1' } })
      expect(res.headers.get('x-request-id')).toBe('proxy-1')
      expect(await res.json()).toEqual({ requestId: 'proxy-1', tenant: 'acme', seen: 'proxy-1' })
    })

    it('replaces a malformed id everywhere', async () => {
      const res = await fetch(`${app.url}/api/echo-headers`, { headers: { 'x-request-id': '<bad id>' } })
      const id = res.headers.get('x-request-id')!
      expect(id).toMatch(/^[0-9a-f-]{36}$/)
      expect(await res.json()).toMatchObject({ requestId: id, seen: id })
    })

    it('keeps the app’s redirect and refusal, with the header', async () => {
      const redirect = await fetch(`${app.url}/old-home`, { redirect: 'manual' })
      expect(redirect.status).toBe(307)
      expect(redirect.headers.get('x-request-id')).toBeTruthy()
      const blocked = await fetch(`${app.url}/api/echo-headers`, { headers: { 'x-block': '1' } })
      expect(blocked.status).toBe(403)
      expect(blocked.headers.get('x-request-id')).toBeTruthy()
    })

    it('hands a page its browser config: Server-Timing on a loopback host, the cookie over plain HTTP elsewhere', async () => {
      const document = { 'sec-fetch-dest': 'document', accept: 'text/html' }
      const local = await fetch(`${app.url}/`, { headers: document })
      expect(local.headers.get('server-timing')).toMatch(new RegExp(`(^|,\\s*)ox;desc="${local.headers.get('x-request-id')}~[^"]+"`))
      expect(local.headers.get('set-cookie')).toBeNull()
      const plain = await fetch(`${app.url}/`, { headers: { ...document, 'x-forwarded-proto': 'http', 'x-forwarded-host': 'staging.internal' } })
      expect(plain.headers.get('set-cookie')).toMatch(new RegExp(`^__ox=${plain.headers.get('x-request-id')}~[^;\\s]+; Path=/; Max-Age=120`))
      expect(plain.headers.get('server-timing') ?? '').not.toMatch(/ox;/)
    })
  })

  describe('the demo’s middleware.ts runs on the Edge runtime', () => {
    it('is registered as Edge middleware in the main build', () => {
      const manifest = JSON.parse(readFileSync(join(ROOT, TEST_DIST_DIR, 'server/middleware-manifest.json'), 'utf8')) as { middleware: Record<string, unknown> }
      expect(Object.keys(manifest.middleware)).toContain('/')
    })
  })
})
