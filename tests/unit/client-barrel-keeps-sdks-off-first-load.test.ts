import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(__dirname, '../..')
const barrel = join(root, 'lib/observability/client/index.ts')

interface Import {
  spec: string
  dynamic: boolean
  typeOnly: boolean
}

function importsOf(file: string): Import[] {
  const src = readFileSync(file, 'utf8')
  const out: Import[] = []
  for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?([^'"]*?)\s*from\s+['"]([^'"]+)['"]/gm)) {
    out.push({ spec: m[4]!, dynamic: false, typeOnly: Boolean(m[2]) || /^\{\s*type\s[^,}]*\}$/.test(m[3]!.trim()) })
  }
  for (const m of src.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push({ spec: m[1]!, dynamic: false, typeOnly: false })
  for (const m of src.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1]!, dynamic: true, typeOnly: false })
  return out
}

function resolveLocal(from: string, spec: string): string | null {
  const base = spec.startsWith('@/') ? join(root, spec.slice(2)) : spec.startsWith('.') ? resolve(dirname(from), spec) : null
  if (!base) return null
  for (const ext of ['.ts', '.tsx', '/index.ts']) {
    try {
      readFileSync(base + ext)
      return base + ext
    } catch {
      // try the next extension
    }
  }
  return null
}

/** Every module the barrel pulls in eagerly (static, non-type imports), and what it imports lazily. */
function eagerGraph(): { files: Set<string>; packages: Map<string, string>; lazy: string[] } {
  const files = new Set<string>()
  const packages = new Map<string, string>()
  const lazy: string[] = []
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const imp of importsOf(file)) {
      if (imp.typeOnly) continue
      const local = resolveLocal(file, imp.spec)
      if (imp.dynamic) {
        lazy.push(local ? relative(root, local) : imp.spec)
        continue
      }
      if (local) visit(local)
      else packages.set(imp.spec, relative(root, file))
    }
  }
  visit(barrel)
  return { files, packages, lazy }
}

describe('the client barrel keeps the SDKs off the first load (issue 3 budget)', () => {
  const graph = eagerGraph()

  it('imports no SDK, no server code and no zod eagerly', () => {
    // The walk really reached the React leaves (else the assertions below prove nothing).
    expect([...graph.packages.keys()]).toEqual(expect.arrayContaining(['react', 'next/navigation']))
    for (const [pkg, from] of graph.packages) {
      expect(pkg, `${from} imports ${pkg}`).not.toMatch(/^(posthog-js|posthog-node|@sentry\/|server-only$|zod$|next\/headers$|node:)/)
    }
    for (const file of graph.files) {
      const rel = relative(root, file)
      expect(rel).not.toMatch(/observability\/(server|edge)\//)
      expect(rel, 'config.ts pulls in zod').not.toBe('lib/observability/shared/config.ts')
    }
  })

  it('reaches posthog-js and Sentry only through the lazy modules', () => {
    expect(graph.lazy.sort()).toEqual(['lib/observability/client/lazy/posthog.ts', 'lib/observability/client/lazy/sentry.ts'])
    expect(importsOf(join(root, 'lib/observability/client/lazy/posthog.ts')).map((i) => i.spec)).toContain('posthog-js')
    expect(importsOf(join(root, 'lib/observability/client/lazy/sentry.ts')).map((i) => i.spec)).toContain('@sentry/browser')
  })
})
