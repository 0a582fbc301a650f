import { describe, expect, it } from 'vitest'
import { DEFAULT_STYLE } from '@/lib/observability/cli/code-style'
import { editNextConfig } from '@/lib/observability/cli/edit-next-config'
import { inspectNextConfig } from '@/lib/observability/cli/inspect-next-config'
import * as kitNextConfig from 'nextjs-observability-kit/next-config'
import { evaluateModule } from './init-fixture-tree'

function edited(source: string): string {
  const result = editNextConfig(source, DEFAULT_STYLE)
  if (result.kind !== 'edited') throw new Error(`expected an edit, got ${JSON.stringify(result)}`)
  return result.code
}

/** The config Next would load: the generated file run for real against the kit's withObservabilityConfig. */
async function load(code: string, modules: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const exports = evaluateModule(code, { 'nextjs-observability-kit/next-config': kitNextConfig, ...modules })
  const config = 'default' in exports ? exports.default : exports
  return (typeof config === 'function' ? await config('phase-production-build', { defaultConfig: {} }) : config) as Record<string, unknown>
}

describe('init wraps each shape of next.config in withObservabilityConfig, once', () => {
  it('ESM and CommonJS exports, keeping the file as it was written', async () => {
    const esm = edited(`const nextConfig = { reactStrictMode: true }\n\nexport default nextConfig\n`)
    expect(esm).toBe(
      `import { withObservabilityConfig } from 'nextjs-observability-kit/next-config'\n\nconst nextConfig = { reactStrictMode: true }\n\nexport default withObservabilityConfig(nextConfig)\n`,
    )
    expect(await load(esm)).toMatchObject({ reactStrictMode: true, skipTrailingSlashRedirect: true })

    const cjs = edited(`'use strict'\nconst nextConfig = { poweredByHeader: false };\nmodule.exports = nextConfig;\n`)
    expect(cjs).toBe(
      `'use strict'\nconst { withObservabilityConfig } = require('nextjs-observability-kit/next-config');\n\nconst nextConfig = { poweredByHeader: false };\nmodule.exports = withObservabilityConfig(nextConfig);\n`,
    )
    const cjsModule = { exports: {} }
    expect(await load(cjs.replace("'use strict'\n", ''), { module: cjsModule })).toMatchObject({ poweredByHeader: false, skipTrailingSlashRedirect: true })
  })

  it("inside other wrappers, so they stay outermost and the kit always gets the app's own object", async () => {
    const sentry = edited(
      `import { withSentryConfig } from '@sentry/nextjs/config'\nexport default withSentryConfig({ reactStrictMode: true }, { org: 'acme' })\n`,
    )
    expect(sentry).toContain(`export default withSentryConfig(withObservabilityConfig({ reactStrictMode: true }), { org: 'acme' })`)
    const seen: unknown[] = []
    const withSentryConfig = (config: unknown) => (seen.push(config), config)
    expect(await load(sentry, { '@sentry/nextjs/config': { withSentryConfig } })).toMatchObject({ reactStrictMode: true, skipTrailingSlashRedirect: true })
    expect(seen[0]).toMatchObject({ skipTrailingSlashRedirect: true })

    const analyzer = edited(
      `const withBundleAnalyzer = require('@next/bundle-analyzer')({ enabled: false })\nconst nextConfig = withBundleAnalyzer({ images: { unoptimized: true } })\nmodule.exports = nextConfig\n`,
    )
    expect(analyzer).toContain('const nextConfig = withBundleAnalyzer(withObservabilityConfig({ images: { unoptimized: true } }))\nmodule.exports = nextConfig')
  })

  it('function configs: every object they return, awaited when the function is async', async () => {
    const arrow = edited(`export default (phase) => ({ distDir: phase === 'phase-development-server' ? '.dev' : '.next' })\n`)
    expect(arrow).toContain(`export default (phase) => (withObservabilityConfig({ distDir: phase === 'phase-development-server' ? '.dev' : '.next' }))`)
    expect(await load(arrow)).toMatchObject({ distDir: '.next', skipTrailingSlashRedirect: true })

    const blocks = edited(
      `export default async function config(phase) {\n  const base = await import('./base.mjs')\n  if (phase === 'x') {\n    return { a: 1 }\n  }\n  return base.default\n}\n`,
    )
    expect(blocks).toContain(`    return withObservabilityConfig({ a: 1 })\n`)
    expect(blocks).toContain(`  return withObservabilityConfig(await base.default)\n`)

    const named = edited(
      `module.exports = (phase, { defaultConfig }) => {\n  const helper = () => ({ nested: true })\n  return { ...defaultConfig, env: helper() }\n}\n`,
    )
    expect(named).toContain('const helper = () => ({ nested: true })')
    expect(named).toContain('return withObservabilityConfig({ ...defaultConfig, env: helper() })')
  })

  it('leaves a config that already calls withObservabilityConfig unchanged', () => {
    expect(
      editNextConfig(
        `import { withObservabilityConfig } from 'nextjs-observability-kit/next-config'\nexport default withSentryConfig(withObservabilityConfig({}), {})\n`,
        DEFAULT_STYLE,
      ).kind,
    ).toBe('unchanged')
  })

  it('reads Cache Components in the forms Next 15 and 16 accept', () => {
    expect(inspectNextConfig(`const c = { cacheComponents: true }\nexport default c\n`).cacheComponents).toBe(true)
    expect(inspectNextConfig(`module.exports = { experimental: { dynamicIO: true } }\n`).cacheComponents).toBe(true)
    expect(inspectNextConfig(`export default withX({ experimental: { cacheComponents: true } })\n`)).toEqual({ cacheComponents: true, wrappers: ['withX'] })
    expect(inspectNextConfig(`export default () => ({ reactStrictMode: true })\n`).cacheComponents).toBe(false)
    expect(inspectNextConfig(`import base from './base.mjs'\nexport default base\n`).cacheComponents).toBe(null)
  })
})
