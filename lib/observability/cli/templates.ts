import { quoted, type CodeStyle } from './code-style.js'
import { PACKAGE_NAME } from './imports.js'

/**
 * The files `init` creates, and the lines it prints when it stops. Each takes the app's code style
 * (quotes, semicolons, indentation) so a created file reads like the app's own.
 */

/**
 * The kit's matcher: every page and API request, not static files, image optimisation or the
 * kit's own ingestion routes (`/_ox/…`, which must never pass through the app's own logic).
 */
export const KIT_MATCHER =
  '/((?!_next/static|_next/image|_ox/|favicon\\.ico|robots\\.txt|sitemap\\.xml|.*\\.(?:png|jpe?g|gif|svg|webp|avif|ico|css|js|map|txt|woff2?|ttf)$).*)'

/** The package's entry points the generated code imports. */
export const ENTRY = {
  nextConfig: `${PACKAGE_NAME}/next-config`,
  edge: `${PACKAGE_NAME}/edge`,
  instrumentation: `${PACKAGE_NAME}/instrumentation`,
  client: `${PACKAGE_NAME}/client`,
} as const

/** The route files, under the app directory, each one re-export of a package route module. */
export const ROUTE_FILES: ReadonlyArray<{ dir: string; module: string; methods: readonly string[] }> = [
  { dir: '%5Fox/p/[...path]', module: `${PACKAGE_NAME}/routes/posthog-proxy`, methods: ['GET', 'POST'] },
  { dir: '%5Fox/s', module: `${PACKAGE_NAME}/routes/sentry-tunnel`, methods: ['POST'] },
  { dir: '%5Fox/s/[...path]', module: `${PACKAGE_NAME}/routes/local-sentry`, methods: ['POST'] },
  { dir: '%5Fox/local/events', module: `${PACKAGE_NAME}/routes/local-events`, methods: ['GET', 'OPTIONS'] },
  { dir: '%5Fox/local/events/[id]', module: `${PACKAGE_NAME}/routes/local-event`, methods: ['GET', 'OPTIONS'] },
  { dir: 'observability', module: `${PACKAGE_NAME}/routes/observability`, methods: ['GET', 'OPTIONS'] },
]

/** The template text is written with two-space indentation; this applies the app's unit. */
function indented(style: CodeStyle, text: string): string {
  if (style.indent === '  ') return text
  return text
    .split('\n')
    .map((line) => {
      let depth = 0
      while (line.startsWith('  '.repeat(depth + 1))) depth++
      return style.indent.repeat(depth) + line.slice(depth * 2)
    })
    .join('\n')
}

/** An import in the file's style; one name a line when it would be long. */
export function importLine(style: CodeStyle, names: string, from: string): string {
  const line = `import { ${names} } from ${quoted(style, from)}${style.semi}`
  if (line.length <= 100) return line
  const list = names.split(', ').map((name) => `${style.indent}${name},`)
  return [`import {`, ...list, `} from ${quoted(style, from)}${style.semi}`].join('\n')
}

/** A `require` line in the file's style (CommonJS `next.config.js`). */
export function requireLine(style: CodeStyle, names: string, from: string): string {
  return `const { ${names} } = require(${quoted(style, from)})${style.semi}`
}

/** `export const config = { matcher: [...] }`. */
export function matcherConfig(style: CodeStyle): string {
  return indented(
    style,
    [
      `export const config = {`,
      `  // Leaves out static files, image optimisation and the kit's own ingestion routes (/_ox/…).`,
      `  matcher: [${quoted(style, KIT_MATCHER)}],`,
      `}${style.semi}`,
    ].join('\n'),
  )
}

/** A new `proxy.ts` (Next 16) or `middleware.ts` (Next 15). */
export function middlewareFile(style: CodeStyle, exportName: 'proxy' | 'middleware'): string {
  return [
    importLine(style, 'withObservability', ENTRY.edge),
    ``,
    `// An X-Request-ID on every request and the browser's runtime config. To add your own logic`,
    `// (auth, i18n), pass your function: withObservability(async (request) => { … }).`,
    `export const ${exportName} = withObservability()${style.semi}`,
    ``,
    matcherConfig(style),
    ``,
  ].join('\n')
}

/** A new `instrumentation.ts`. */
export function instrumentationFile(style: CodeStyle): string {
  return `export { register, onRequestError } from ${quoted(style, ENTRY.instrumentation)}${style.semi}\n`
}

/** A new `instrumentation-client.ts`. */
export function instrumentationClientFile(style: CodeStyle): string {
  return `${importLine(style, 'bootObservability', ENTRY.client)}\n\n${bootCall(style)}\n`
}

/** The call `instrumentation-client` makes before hydration. */
export function bootCall(style: CodeStyle): string {
  return `bootObservability()${style.semi}`
}

/** The element the root layout renders as the last child of `<body>`. */
export const PROVIDER_ELEMENT = '<ObservabilityProvider user={null} />'

/**
 * A new `global-error.tsx`: Next 15.5 passes `reset`, Next 16.3+ passes `reset` and `retry`
 * (16.2: `unstable_retry`); only `reset` is common to all, and it is still checked before use.
 */
export function globalErrorFile(style: CodeStyle, typescript: boolean): string {
  const { semi } = style
  const q = (value: string) => quoted(style, value)
  const props = typescript
    ? [
        `export default function GlobalError({`,
        `  error,`,
        `  reset,`,
        `}: {`,
        `  error: Error & { digest?: string }${semi}`,
        `  reset?: () => void${semi}`,
        `}) {`,
      ]
    : [`export default function GlobalError({ error, reset }) {`]
  return indented(
    style,
    [
      `${q('use client')}${semi}`,
      ``,
      importLine(style, 'useCaptureBoundaryError', ENTRY.client),
      ``,
      `// Errors in the root layout itself: this replaces the whole document, so it renders its own`,
      `// <html> and <body>. Reported once to each backend that is on.`,
      ...props,
      `  useCaptureBoundaryError(error)${semi}`,
      `  return (`,
      `    <html lang="en">`,
      `      <body>`,
      `        <h1>Something went wrong</h1>`,
      `        {reset ? (`,
      `          <button type="button" onClick={() => reset()}>`,
      `            Try again`,
      `          </button>`,
      `        ) : null}`,
      `      </body>`,
      `    </html>`,
      `  )${semi}`,
      `}`,
      ``,
    ].join('\n'),
  )
}

/** A route file: one re-export of the package's handlers. */
export function routeFile(style: CodeStyle, route: { module: string; methods: readonly string[] }): string {
  return `export { ${route.methods.join(', ')} } from ${quoted(style, route.module)}${style.semi}\n`
}

/** A new `next.config.ts` (or `.mjs` without TypeScript). */
export function nextConfigFile(style: CodeStyle, typescript: boolean): string {
  const { semi } = style
  return typescript
    ? [
        `import type { NextConfig } from ${quoted(style, 'next')}${semi}`,
        importLine(style, 'withObservabilityConfig', ENTRY.nextConfig),
        ``,
        `const nextConfig: NextConfig = {}${semi}`,
        ``,
        `export default withObservabilityConfig(nextConfig)${semi}`,
        ``,
      ].join('\n')
    : [
        importLine(style, 'withObservabilityConfig', ENTRY.nextConfig),
        ``,
        `/** @type {import('next').NextConfig} */`,
        `const nextConfig = {}${semi}`,
        ``,
        `export default withObservabilityConfig(nextConfig)${semi}`,
        ``,
      ].join('\n')
}

/** What to add by hand to `next.config.*` when it cannot be edited safely. */
export function nextConfigLines(style: CodeStyle): string {
  return [
    importLine(style, 'withObservabilityConfig', ENTRY.nextConfig),
    `// wrap the config object your file exports (inside any other wrapper, e.g. withSentryConfig):`,
    `export default withObservabilityConfig(nextConfig)${style.semi}`,
  ].join('\n')
}

/** What to add by hand to the middleware or proxy file. */
export function middlewareLines(style: CodeStyle, exportName: 'proxy' | 'middleware'): string {
  return [
    importLine(style, 'withObservability', ENTRY.edge),
    `// wrap your function; it keeps its behaviour and receives the request with x-request-id set:`,
    `export const ${exportName} = withObservability(yourFunction)${style.semi}`,
    `// and keep the kit's routes out of config.matcher, e.g. add _ox/ to its exclusions:`,
    matcherConfig(style),
  ].join('\n')
}

/** What to add by hand to `instrumentation.ts`. */
export function instrumentationLines(style: CodeStyle): string {
  return [
    importLine(style, 'register as registerObservability, onRequestError as onObservabilityRequestError', ENTRY.instrumentation),
    `// first line of your register():`,
    `await registerObservability()${style.semi}`,
    `// first line of your onRequestError(error, request, context):`,
    `await onObservabilityRequestError(error, request, context)${style.semi}`,
  ].join('\n')
}

/** What to add by hand to `instrumentation-client.ts`. */
export function instrumentationClientLines(style: CodeStyle): string {
  return `${importLine(style, 'bootObservability', ENTRY.client)}\n${bootCall(style)}`
}

/** What to add by hand to the root layout. */
export function layoutLines(style: CodeStyle): string {
  return [
    importLine(style, 'ObservabilityProvider', ENTRY.client),
    `// as the last child of <body> (or next to {children} when <body> is rendered by another component):`,
    PROVIDER_ELEMENT,
  ].join('\n')
}
