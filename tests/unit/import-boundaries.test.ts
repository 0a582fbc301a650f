import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(__dirname, '../../lib/observability')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(name) ? [p] : []
  })
}

function imports(file: string, { dynamic = true } = {}): string[] {
  const src = readFileSync(file, 'utf8')
  return [...src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)]
    .map((m) => m[1] ?? (dynamic ? m[2] : undefined) ?? m[3] ?? '')
    .filter(Boolean)
}

const NODE_OR_SDK = /^(node:|fs$|path$|crypto$|async_hooks$|posthog-node|posthog-js|@sentry\/|server-only$|next\/headers$)/

/**
 * The one SDK import shared/ makes at runtime: Sentry's DSN parser, so the config accepts exactly
 * the DSNs the SDK sends with. @sentry/core is side-effect-free ESM, so a bundle (the middleware's
 * included) keeps the parser and its logger, not the SDK.
 */
const SHARED_RUNTIME_SDK_IMPORT = { file: 'shared/sentry-dsn.ts', spec: '@sentry/core', line: /^import \{ makeDsn, type DsnComponents \} from '@sentry\/core'$/m }

describe('runtime folders keep their import boundaries', () => {
  it('shared/ imports nothing from Node, no SDK and no next/* at runtime', () => {
    for (const file of files(join(root, 'shared'))) {
      const src = readFileSync(file, 'utf8')
      for (const spec of imports(file)) {
        const typeOnly = new RegExp(`import\\s+type\\s[^'"]*from\\s+['"]${spec.replace(/[/.]/g, '\\$&')}['"]`).test(src)
        if (typeOnly) continue
        if (relative(root, file) === SHARED_RUNTIME_SDK_IMPORT.file && spec === SHARED_RUNTIME_SDK_IMPORT.spec) {
          expect(src, 'only the DSN parser').toMatch(SHARED_RUNTIME_SDK_IMPORT.line)
          continue
        }
        expect(spec, `${relative(root, file)} imports ${spec}`).not.toMatch(NODE_OR_SDK)
        expect(spec, `${relative(root, file)} imports ${spec}`).not.toMatch(/^next\//)
      }
    }
  })

  it('edge/ uses Web APIs only: no Node, no SDK loaded up front, no server modules', () => {
    for (const file of files(join(root, 'edge'))) {
      // The SDKs' Edge builds load on the first error (edge/register.ts), never with the middleware.
      for (const spec of imports(file, { dynamic: false })) {
        expect(spec, `${relative(root, file)} imports ${spec}`).not.toMatch(NODE_OR_SDK)
        expect(spec, `${relative(root, file)} imports ${spec}`).not.toMatch(/\/server\//)
      }
    }
  })

  it('server modules declare server-only', () => {
    for (const file of files(join(root, 'server'))) {
      if (/\/ingest\/|\/proxy\//.test(file)) continue
      expect(readFileSync(file, 'utf8'), relative(root, file)).toMatch(/^import 'server-only'/m)
    }
  })
})
