// Summarises V8 `.cpuprofile` files (from `node --cpu-prof`): self time per function and per
// area (Sentry/OpenTelemetry, posthog-node, Next, React, app bundle, Node internals, GC…).
// Used by `npm run bench -- --cpu-prof` (profiles in .bench/prof-<configuration>/); also on its own:
//   node bench/profile-summary.mjs .bench/prof-on [.bench/prof-off]

import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join, basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FlattenMap, originalPositionFor } from '@jridgewell/trace-mapping'
import { table, fmt } from './stats.mjs'

/** Which part of the stack a call frame belongs to, from its (original, source-mapped) path. */
export function areaOf(url, functionName) {
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC'
    if (functionName === '(idle)') return 'idle'
    if (functionName === '(program)') return 'V8 (program)'
    return 'native/builtin'
  }
  if (url.startsWith('node:')) return 'node internals'
  if (/@opentelemetry|require-in-the-middle|import-in-the-middle/.test(url)) return 'opentelemetry'
  if (/@sentry/.test(url)) return 'sentry'
  // Before posthog: the kit's own posthog-*.ts files are the kit's.
  if (/lib\/observability\//.test(url)) return 'kit (lib/observability)'
  if (/posthog/.test(url)) return 'posthog'
  if (/next\/dist\/compiled\/(react|scheduler)|react-dom|\/react\/|\/scheduler\//.test(url)) return 'react'
  if (/\/next\/dist\/|node_modules\/next\//.test(url)) return 'next'
  if (/\/\.next\/server\//.test(url)) return 'app bundle (unmapped)'
  if (/node_modules/.test(url)) return 'other node_modules'
  if (/^(\.\.\/)*(app|lib|components|middleware|instrumentation)/.test(url)) return 'app code'
  return 'other'
}

// ---------------------------------------------------------------- source maps (.next bundles)
//
// Turbopack bundles Sentry, OpenTelemetry and the kit into `.next/server/**/chunks/*.js`, so a
// profile alone only says "app bundle". The chunks ship v3 source maps (index maps, in sections);
// @jridgewell/trace-mapping resolves a frame's function position to its original file.

const maps = new Map()
function loadMap(file) {
  if (maps.has(file)) return maps.get(file)
  let map = null
  try {
    // No map URL: sources keep the form the bundler wrote (`areaOf` matches relative paths).
    map = new FlattenMap(readFileSync(`${file}.map`, 'utf8'))
  } catch {}
  maps.set(file, map)
  return map
}

function safeDecode(s) {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** `{ source, line, name }` of the original position, or null. line/column are 0-based. */
export function resolveFrame(url, line, column) {
  if (!url.startsWith('file://') || !url.includes('/.next/')) return null
  const map = loadMap(fileURLToPath(url))
  if (!map || line < 0 || column < 0) return null
  // trace-mapping counts lines from 1, columns from 0; the closest mapping at or before the column.
  const original = originalPositionFor(map, { line: line + 1, column })
  if (original.source === null) return null
  return { source: safeDecode(original.source), line: original.line - 1, name: original.name ?? undefined }
}

export function shortPath(p) {
  return p
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, '')
    .replace(/^(\.\.\/)+/, '')
    .replace(/^.*\/\.next\//, '.next/')
}

/** Self time (ms) per function key and per area, summed over every profile in `dir`. */
export function summariseDir(dir) {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : []
  const byFn = new Map()
  const byArea = new Map()
  let totalMs = 0
  for (const file of files) {
    let profile
    try {
      profile = JSON.parse(readFileSync(join(dir, file), 'utf8'))
    } catch {
      continue
    }
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
    const selfUs = new Map()
    const { samples = [], timeDeltas = [] } = profile
    for (let i = 0; i < samples.length; i++) {
      // timeDeltas[i] is the time before sample i; attribute the following delta to sample i.
      const dt = timeDeltas[i + 1] ?? 0
      selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt))
    }
    for (const [id, us] of selfUs) {
      const n = nodes.get(id)
      if (!n) continue
      const { functionName, url, lineNumber, columnNumber } = n.callFrame
      const orig = url ? resolveFrame(url, lineNumber, columnNumber) : null
      const edge = /\/\.next\/server\/edge\//.test(url)
      let area = areaOf(orig ? orig.source : url, functionName)
      if (area === 'idle') continue
      if (edge && orig) area += ' [edge sandbox]'
      const ms = us / 1000
      totalMs += ms
      const where = orig ? `${shortPath(orig.source)}:${orig.line + 1}` : url ? `${shortPath(url)}:${lineNumber + 1}` : ''
      const key = `${functionName || orig?.name || '(anonymous)'}  ${where}`
      byFn.set(key, { ms: (byFn.get(key)?.ms ?? 0) + ms, area })
      byArea.set(area, (byArea.get(area) ?? 0) + ms)
    }
  }
  return { files: files.length, totalMs, byFn, byArea }
}

export function renderSummary(label, s, top = 20) {
  const lines = [`CPU profile — ${label}: ${s.files} profile(s), ${fmt(s.totalMs / 1000, 2)} s of non-idle samples`]
  const areas = [...s.byArea].sort((a, b) => b[1] - a[1])
  lines.push(
    table(
      ['area (self time)', 'ms', '%'],
      areas.map(([a, ms]) => [a, fmt(ms, 0), fmt((100 * ms) / s.totalMs, 1)]),
    ),
  )
  const fns = [...s.byFn].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)
  lines.push(
    table(
      ['top self-time functions', 'area', 'ms', '%'],
      fns.map(([k, v]) => [k.slice(0, 110), v.area, fmt(v.ms, 0), fmt((100 * v.ms) / s.totalMs, 1)]),
    ),
  )
  return lines.join('\n')
}

/** Area-by-area difference between two summaries, normalised per request when counts are given. */
export function renderAreaDiff(a, b, { labelA, labelB, requestsA, requestsB }) {
  const areas = new Set([...a.byArea.keys(), ...b.byArea.keys()])
  const perReq = requestsA && requestsB
  const rows = [...areas]
    .map((area) => {
      const ma = a.byArea.get(area) ?? 0
      const mb = b.byArea.get(area) ?? 0
      const ua = perReq ? (1000 * ma) / requestsA : ma
      const ub = perReq ? (1000 * mb) / requestsB : mb
      return [area, ua, ub, ua - ub]
    })
    .sort((x, y) => y[3] - x[3])
  const unit = perReq ? 'µs/req' : 'ms'
  return table(
    [`area (self ${unit})`, labelA, labelB, 'Δ'],
    rows.map(([area, ua, ub, d]) => [area, fmt(ua, 1), fmt(ub, 1), (d >= 0 ? '+' : '') + fmt(d, 1)]),
  )
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dirs = process.argv.slice(2)
  if (!dirs.length) {
    console.error('usage: node bench/profile-summary.mjs <dir-with-.cpuprofile> [<other dir>]')
    process.exit(2)
  }
  const sums = dirs.map((d) => summariseDir(d))
  dirs.forEach((d, i) => console.log(renderSummary(basename(d), sums[i]) + '\n'))
  if (sums.length === 2) console.log(renderAreaDiff(sums[0], sums[1], { labelA: basename(dirs[0]), labelB: basename(dirs[1]) }))
}

/** The functions whose self time per request grew most from `b` to `a` (what "enabled" adds). */
export function renderFunctionDiff(a, b, { labelA, labelB, requestsA, requestsB, top = 25 }) {
  const keys = new Set([...a.byFn.keys(), ...b.byFn.keys()])
  const rows = [...keys]
    .map((k) => {
      const ua = ((a.byFn.get(k)?.ms ?? 0) * 1000) / requestsA
      const ub = ((b.byFn.get(k)?.ms ?? 0) * 1000) / requestsB
      return [k, a.byFn.get(k)?.area ?? b.byFn.get(k)?.area, ua, ub, ua - ub]
    })
    .sort((x, y) => y[4] - x[4])
    .slice(0, top)
  return table(
    ['largest growth in self time per request', 'area', labelA, labelB, 'Δ µs/req'],
    rows.map(([k, area, ua, ub, d]) => [k.slice(0, 100), area, fmt(ua, 1), fmt(ub, 1), (d >= 0 ? '+' : '') + fmt(d, 1)]),
  )
}
