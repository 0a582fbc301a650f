import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tryToParsePath } from 'next/dist/lib/try-to-parse-path'
import * as nextServer from 'next/server'
import { NextRequest, type NextFetchEvent } from 'next/server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as edge from 'nextjs-observability-kit/edge'
import { DEFAULT_STYLE } from '@/lib/observability/cli/code-style'
import { editMiddleware } from '@/lib/observability/cli/edit-middleware'
import { excludeKitRoutes } from '@/lib/observability/cli/matcher'
import { KIT_MATCHER } from '@/lib/observability/cli/templates'
import { resetObservability } from 'nextjs-observability-kit/testing'
import { copyFixture, evaluateModule, init } from './init-fixture-tree'

const event = {} as NextFetchEvent
const UUID = /^[0-9a-f-]{36}$/
const modules = { 'nextjs-observability-kit/edge': edge, 'next/server': nextServer }
const saved = { ...process.env }

beforeEach(() => {
  for (const key of ['POSTHOG_API_KEY', 'SENTRY_DSN']) delete process.env[key]
  resetObservability()
})
afterEach(() => {
  process.env = { ...saved }
  resetObservability()
})

/** Whether Next would run the middleware for `path`, compiling the matcher as Next does. */
function matches(source: string, path: string): boolean {
  const { regexStr, error } = tryToParsePath(source)
  if (error || !regexStr) throw new Error(`Next cannot parse the matcher ${source}`)
  return new RegExp(regexStr).test(path)
}

function edited(source: string, convention: 'proxy' | 'middleware' = 'middleware'): string {
  const result = editMiddleware(source, convention, DEFAULT_STYLE)
  if (result.kind !== 'edited') throw new Error(`expected an edit, got ${JSON.stringify(result)}`)
  return result.code
}

describe("the app's own middleware keeps working, wrapped by the kit's", () => {
  it('redirects signed-out visitors as before, now with an X-Request-ID, and lets signed-in ones through', async () => {
    const app = copyFixture('existing-middleware-redirect')
    expect((await init(app, { yes: true })).code).toBe(0)
    // Next 16, but the app's middleware.ts stays middleware.ts: no proxy.ts next to it.
    expect(existsSync(join(app, 'proxy.ts'))).toBe(false)
    const { middleware, config } = evaluateModule(readFileSync(join(app, 'middleware.ts'), 'utf8'), modules) as {
      middleware: (request: NextRequest, event: NextFetchEvent) => Promise<Response>
      config: { matcher: string[] }
    }

    const signedOut = await middleware(new NextRequest('http://shop.test/account'), event)
    expect(signedOut.status).toBe(307)
    expect(signedOut.headers.get('location')).toBe('http://shop.test/login')
    expect(signedOut.headers.get('x-request-id')).toMatch(UUID)

    const signedIn = await middleware(new NextRequest('http://shop.test/account', { headers: { cookie: 'session=abc' } }), event)
    expect(signedIn.headers.get('x-middleware-next')).toBe('1')
    expect(signedIn.headers.get('x-request-id')).toMatch(UUID)

    // Its matcher now leaves the kit's routes out, and still covers what it covered.
    const [matcher] = config.matcher
    expect(matches(matcher!, '/_ox/p/e/')).toBe(false)
    expect(matches(matcher!, '/_ox/s')).toBe(false)
    expect(matches(matcher!, '/account')).toBe(true)
    expect(matches(matcher!, '/login')).toBe(false)
    expect(matches(matcher!, '/api/orders')).toBe(false)
  })

  it('hands the app its request with x-request-id already set (default-exported proxy)', async () => {
    const code = edited(
      `import { NextResponse } from 'next/server'\n\nexport default async function proxy(request) {\n  return NextResponse.json({ seen: request.headers.get('x-request-id') })\n}\n`,
      'proxy',
    )
    expect(code).toContain('export default withObservability(async function proxy(request) {')
    const proxy = evaluateModule(code, modules).default as (request: NextRequest, event: NextFetchEvent) => Promise<Response>
    const response = await proxy(new NextRequest('http://app.test/x', { headers: { 'x-request-id': 'lb-42' } }), event)
    expect(await response.json()).toEqual({ seen: 'lb-42' })
    expect(response.headers.get('x-request-id')).toBe('lb-42')
  })

  it('wraps each export shape Next accepts, keeping comments and the rest of the file', () => {
    expect(
      edited(
        `import type { NextMiddleware } from 'next/server'\n\n/** Auth. */\nexport const middleware: NextMiddleware = (req) => {\n  return undefined\n}\n`,
      ),
    ).toBe(
      `import type { NextMiddleware } from 'next/server'\nimport { withObservability } from 'nextjs-observability-kit/edge'\n\n/** Auth. */\nexport const middleware: NextMiddleware = withObservability((req) => {\n  return undefined\n})\n\nexport const config = {\n  // Leaves out static files, image optimisation and the kit's own ingestion routes (/_ox/…).\n  matcher: ['/((?!_next/static|_next/image|_ox/|favicon\\\\.ico|robots\\\\.txt|sitemap\\\\.xml|.*\\\\.(?:png|jpe?g|gif|svg|webp|avif|ico|css|js|map|txt|woff2?|ttf)$).*)'],\n}\n`,
    )
    expect(edited(`export async function proxy(request: Request) {}\nexport const config = { matcher: ['/dashboard/:path*'] }\n`, 'proxy')).toContain(
      "export const proxy = withObservability(async function proxy(request: Request) {})\nexport const config = { matcher: ['/dashboard/:path*'] }",
    )
    expect(edited(`import { auth } from './auth'\nexport default auth((req) => {})\nexport const config = { matcher: '/account/:path*' }\n`)).toContain(
      'export default withObservability(auth((req) => {}))',
    )
  })

  it('adds _ox/ to negative-lookahead matchers, in strings, arrays and { source } objects', () => {
    const code = edited(
      `export function middleware() {}\nexport const config = {\n  matcher: [{ source: '/((?!api|_next/static|_next/image|favicon.ico).*)', missing: [{ type: 'header', key: 'next-router-prefetch' }] }, '/about/:path*'],\n}\n`,
    )
    expect(code).toContain(`source: '/((?!api|_next/static|_next/image|_ox/|favicon.ico).*)'`)
    expect(code).toContain(`'/about/:path*'`)
  })

  it('reads matchers as Next compiles them: the kit routes are never matched after an edit', () => {
    for (const matcher of ['/((?!api|_next/static|_next/image|favicon.ico).*)', '/((?!_next|[^?]*\\.(?:html?|css|js)).*)', '/((?!(?:a|b)|c).*)']) {
      const result = excludeKitRoutes(matcher)
      expect(typeof result === 'string' && result.startsWith('/')).toBe(true)
      expect(matches(matcher, '/_ox/p/e/')).toBe(true)
      expect(matches(result, '/_ox/p/e/')).toBe(false)
      expect(matches(result, '/shop')).toBe(matches(matcher, '/shop'))
    }
    expect(matches(KIT_MATCHER, '/_ox/s')).toBe(false)
    expect(matches(KIT_MATCHER, '/orders/7')).toBe(true)
    expect(excludeKitRoutes('/dashboard/:path*')).toBe('safe')
    expect(excludeKitRoutes('/((?!_ox/|api).*)')).toBe('safe')
    for (const unusual of ['/:path*', '/(.*)', '/_:rest*', '((?!api).*)', '/((?!api).*']) expect(excludeKitRoutes(unusual)).toBe('unusual')
  })
})
