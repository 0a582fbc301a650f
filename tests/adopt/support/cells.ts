/**
 * The apps the adoption suite generates with `create-next-app`, each covering several properties
 * of real apps at once (one build per app keeps CI short). Flags are explicit, read from each
 * pinned version's `--help`; what the template does by default is noted where it matters.
 */

export interface Cell {
  /** Folder under `.test-builds/adopt/` and the table's row name. */
  readonly id: string
  /** `create-next-app` version, pinned. */
  readonly createNextApp: string
  readonly flags: readonly string[]
  readonly language: 'ts' | 'js'
  /** The App Router folder relative to the app root (`app` or `src/app`). */
  readonly appDir: string
  /** `next.config.*` file the template writes. */
  readonly nextConfig: string
  /** Served under this prefix (`''` for none); added to the config before `init`. */
  readonly basePath: string
  /** `output: 'standalone'`, started with `node .next/standalone/server.js`. */
  readonly standalone: boolean
  /** The app's own middleware/proxy that redirects, written before `init` (relative path). */
  readonly ownMiddleware?: string
  /** What `init` must detect, each a phrase of its "Detected:" line. */
  readonly detected: readonly string[]
  /** The bundler `next build` must report using. */
  readonly bundler: 'turbopack' | 'webpack'
}

/** Flags every cell passes: npm, no install (the harness installs, once per cache), no git (the harness commits the pristine app). */
const COMMON = ['--app', '--eslint', '--import-alias', '@/*', '--use-npm', '--skip-install', '--disable-git', '--yes']

/**
 * Next 16's default template (Tailwind, Cache Components on, Turbopack) in `src/`, with its own
 * `proxy.ts` that redirects: `init` must wrap it, not replace it.
 */
export const NEXT16_SRC_CACHE_COMPONENTS: Cell = {
  id: 'next16-src-cache-components',
  createNextApp: '16.4.3',
  flags: ['--ts', '--src-dir', '--tailwind', '--cache-components', '--no-react-compiler', ...COMMON],
  language: 'ts',
  appDir: 'src/app',
  nextConfig: 'next.config.ts',
  basePath: '',
  standalone: false,
  ownMiddleware: 'src/proxy.ts',
  detected: ['Next 16.4.3', 'App Router in src/app/', 'TypeScript', 'proxy.ts convention', 'Cache Components on', 'npm'],
  bundler: 'turbopack',
}

/**
 * Next 15.5 on its default bundler for `next build`, webpack (the template's `--turbopack` is
 * declined), ESLint in the build, with its own Edge `middleware.ts` that redirects.
 */
export const NEXT15_WEBPACK_MIDDLEWARE: Cell = {
  id: 'next15-webpack-middleware',
  createNextApp: '15.5.28',
  flags: ['--ts', '--no-src-dir', '--no-tailwind', '--no-turbopack', ...COMMON],
  language: 'ts',
  appDir: 'app',
  nextConfig: 'next.config.ts',
  basePath: '',
  standalone: false,
  ownMiddleware: 'middleware.ts',
  detected: ['Next 15.5.28', 'App Router in app/', 'TypeScript', 'middleware.ts convention', 'Cache Components off', 'npm'],
  bundler: 'webpack',
}

/**
 * A JavaScript app (`next.config.mjs`, `.js` files, Cache Components on by the template) served
 * under `basePath: '/shop'` from `output: 'standalone'`, as a Docker image would run it.
 */
export const NEXT16_JS_BASEPATH_STANDALONE: Cell = {
  id: 'next16-js-basepath-standalone',
  createNextApp: '16.4.3',
  flags: ['--js', '--no-src-dir', '--no-tailwind', '--no-react-compiler', ...COMMON],
  language: 'js',
  appDir: 'app',
  nextConfig: 'next.config.mjs',
  basePath: '/shop',
  standalone: true,
  detected: ['Next 16.4.3', 'App Router in app/', 'JavaScript', 'next.config.mjs', 'proxy.js convention', 'Cache Components on', 'npm'],
  bundler: 'turbopack',
}

/** What every app's own middleware does before `init`: an auth-style redirect with its own matcher. */
export function ownMiddlewareSource(kind: 'middleware' | 'proxy'): string {
  return `import { NextResponse } from "next/server";
import type { NextRequest } from "next/server";

export function ${kind}(request: NextRequest) {
  if (!request.cookies.has("session") && request.nextUrl.pathname.startsWith("/account")) {
    return NextResponse.redirect(new URL("/login", request.url));
  }
  return NextResponse.next();
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
`
}

/** The route the suite adds after `init` (`api/adopt/route.*`): a tracked handler, as the README shows. */
export const TRACKED_ROUTE_SOURCE = `import { withTracking } from "nextjs-observability-kit/server";

export const GET = withTracking(async () => Response.json({ ok: true }));
`

export const THROWING_PAGE_MESSAGE = 'adopt: thrown while rendering /adopt-throw'

/**
 * A server page (`adopt-throw/page.*`) that throws while rendering, on every request: dynamic, so
 * never at build. With Cache Components, `connection()` outside `<Suspense>` fails the build unless
 * the route says it may block (`instant = false`, Next 16.4): then it renders per request, as on 15.
 */
export function throwingPageSource(cacheComponents: boolean): string {
  return `import { connection } from "next/server";
${cacheComponents ? '\n// Rendered in full per request (Cache Components would otherwise want a <Suspense> here).\nexport const instant = false;\n' : ''}
export default async function AdoptThrowPage() {
  await connection();
  throw new Error("${THROWING_PAGE_MESSAGE}");
}
`
}
