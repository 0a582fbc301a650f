import { join, relative } from 'node:path'
import { build, type Metafile } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'

/**
 * What the client entry costs the first load, read from a real bundle of it (esbuild, with code
 * splitting, as a browser bundler would do): the modules in the entry chunk and the chunks it
 * imports statically load with the page; whatever sits behind a dynamic `import()` loads later.
 * Packages are left external, so each import of one shows by name and by kind.
 */

const root = join(__dirname, '../..')
const entry = join(root, 'lib/observability/client/index.ts')

interface Graph {
  /** Kit modules in the first load. */
  eagerModules: string[]
  /** Packages imported by the first load. */
  eagerPackages: string[]
  /** Kit modules that load only behind a dynamic import. */
  lazyModules: string[]
  /** Packages imported only behind a dynamic import. */
  lazyPackages: string[]
}

async function firstLoadGraph(): Promise<Graph> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    outdir: join(root, '.bench/client-graph'),
    write: false,
    metafile: true,
    packages: 'external',
    jsx: 'automatic',
    logLevel: 'silent',
  })
  const outputs = metafile.outputs
  const entryOut = Object.keys(outputs).find((o) => outputs[o]!.entryPoint)!
  const eager = new Set<string>()
  const visit = (out: string) => {
    if (eager.has(out)) return
    eager.add(out)
    for (const imp of outputs[out]!.imports) if (!imp.external && imp.kind === 'import-statement') visit(imp.path)
  }
  visit(entryOut)
  const modulesOf = (outs: Iterable<string>) =>
    [...outs]
      .flatMap((o) => Object.keys(outputs[o]!.inputs))
      .map((i) => relative(root, join(root, i)))
      .sort()
  const packagesOf = (outs: Iterable<string>, kind: Metafile['outputs'][string]['imports'][number]['kind']) =>
    [...new Set([...outs].flatMap((o) => outputs[o]!.imports.filter((i) => i.external && i.kind === kind).map((i) => i.path)))].sort()
  const lazy = Object.keys(outputs).filter((o) => !eager.has(o) && !o.endsWith('.map'))
  return {
    eagerModules: modulesOf(eager),
    eagerPackages: packagesOf(eager, 'import-statement'),
    lazyModules: modulesOf(lazy),
    lazyPackages: [...new Set([...packagesOf(lazy, 'import-statement'), ...packagesOf(eager, 'dynamic-import')])].sort(),
  }
}

describe('the client entry keeps the SDKs off the first load', () => {
  let graph: Graph
  beforeAll(async () => {
    graph = await firstLoadGraph()
  })

  it('imports no SDK, no server code and no zod with the page', () => {
    // The bundle really reached the React leaves (else the assertions below prove nothing).
    expect(graph.eagerPackages).toEqual(expect.arrayContaining(['react', 'next/navigation']))
    for (const pkg of graph.eagerPackages) expect(pkg).not.toMatch(/^(posthog-js|posthog-node|@sentry\/|server-only$|zod$|next\/headers$|node:)/)
    for (const file of graph.eagerModules) {
      expect(file).not.toMatch(/observability\/(server|edge)\//)
      expect(file, 'config.ts pulls in zod').not.toBe('lib/observability/shared/config.ts')
    }
  })

  it('reaches posthog-js and Sentry only through the lazy modules', () => {
    expect(graph.lazyModules).toEqual(
      expect.arrayContaining([
        'lib/observability/client/lazy/posthog.ts',
        'lib/observability/client/lazy/posthog-surveys.ts',
        'lib/observability/client/lazy/sentry.ts',
      ]),
    )
    expect(graph.lazyPackages).toEqual(expect.arrayContaining(['posthog-js/dist/module.slim.js', 'posthog-js/dist/extension-bundles.js', '@sentry/browser']))
  })

  it('bundles posthog-js only as its slim entry, so unconfigured features never ship', () => {
    // The main entry carries every extension (experiments, tours, site apps, ...) whether asked for or not.
    expect([...graph.eagerPackages, ...graph.lazyPackages]).not.toContain('posthog-js')
  })
})
