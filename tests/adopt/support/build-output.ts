import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { sdkSignaturesIn } from '../../support/bundles'
import type { Cell } from './cells'

/** Every `.js` file under `dir`, recursively. */
function scripts(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name)
    return statSync(full).isDirectory() ? scripts(full) : name.endsWith('.js') ? [full] : []
  })
}

/**
 * URL paths of the browser chunks that carry an SDK or the kit's lazy glue: the ones a page must
 * never fetch with both backends off.
 */
export function sdkChunkUrls(dir: string, cell: Cell): string[] {
  const staticDir = join(dir, '.next/static')
  return scripts(staticDir)
    .filter((file) => sdkSignaturesIn(readFileSync(file, 'utf8')).length > 0)
    .map((file) => `${cell.basePath}/_next/static/${relative(staticDir, file).split('\\').join('/')}`)
}

/**
 * The posthog-node worker in the build, and whether a deployment gets it: every worker chunk and
 * posthog-node itself must be listed in Next's output traces (`*.nft.json`, what `standalone` and
 * serverless hosts copy) and, for `standalone`, be present in `.next/standalone`.
 */
export function workerTrace(dir: string, cell: Cell): { workerChunks: string[]; missing: string[] } {
  const server = join(dir, '.next/server')
  // What only the worker's source does: read its client's key from workerData, talk to its parent port.
  const workerChunks = scripts(server).filter((file) => {
    const text = readFileSync(file, 'utf8')
    return text.includes('.workerData.apiKey') && text.includes('parentPort')
  })
  const traced = new Set<string>()
  const visit = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name)
      if (statSync(full).isDirectory()) visit(full)
      else if (name.endsWith('.nft.json')) {
        const { files } = JSON.parse(readFileSync(full, 'utf8')) as { files: string[] }
        for (const file of files) traced.add(resolve(dirname(full), file))
      }
    }
  }
  visit(server)
  // The server's own traces (next-server.js.nft.json…) sit at the top of .next.
  for (const name of readdirSync(join(dir, '.next'))) {
    if (name.endsWith('.nft.json')) {
      const full = join(dir, '.next', name)
      for (const file of (JSON.parse(readFileSync(full, 'utf8')) as { files: string[] }).files) traced.add(resolve(dirname(full), file))
    }
  }
  const needed = [...workerChunks, join(dir, 'node_modules/posthog-node/package.json')]
  const missing = needed.filter((file) => !traced.has(file)).map((file) => `${relative(dir, file)} (not traced)`)
  if (cell.standalone) {
    for (const file of needed) {
      const copy = join(dir, '.next/standalone', relative(dir, file))
      if (!existsSync(copy)) missing.push(`${relative(dir, copy)} (not in the standalone output)`)
    }
  }
  return { workerChunks: workerChunks.map((file) => relative(dir, file)), missing }
}

/**
 * The Edge runtime's bundles (middleware and its instrumentation, from the middleware manifest)
 * with any Node-only module of the kit they hold: `instrumentation.ts` picks each runtime's branch
 * by `process.env.NEXT_RUNTIME`, so the Node branch (posthog-node's worker, `node:worker_threads`)
 * must be left out of them entirely.
 */
export function edgeBundles(dir: string): { files: string[]; nodeOnly: string[] } {
  const manifest = join(dir, '.next/server/middleware-manifest.json')
  if (!existsSync(manifest)) return { files: [], nodeOnly: [] }
  const { middleware, functions } = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, Record<string, { files: string[] }>>
  const files = [...new Set([...Object.values(middleware ?? {}), ...Object.values(functions ?? {})].flatMap((entry) => entry.files))]
  const nodeOnly = files.flatMap((file) => {
    const text = readFileSync(join(dir, '.next', file), 'utf8')
    return ['worker_threads', '.workerData.apiKey', 'posthog-worker'].filter((marker) => text.includes(marker)).map((marker) => `${file}: ${marker}`)
  })
  return { files, nodeOnly }
}
