// Section "calls": how many JavaScript function calls a request makes on the request thread, kit
// enabled vs disabled, per route and per area (Next, Node, Sentry, posthog, the kit…), counted
// by V8's precise coverage.
//
// Why: the server section's req/s ratios carry the machine's noise (fresh processes differ by up
// to ~10 %, and slow stretches come and go), so a few per cent on `/` cannot be pinned on any code
// from them. Call counts do not depend on the machine's speed: the same build serving the same
// requests makes the same calls, so this says exactly what an enabled request runs beyond a
// disabled one. It says nothing about how long those calls take, nor about other threads (the
// posthog-node worker, V8's GC and compiler threads); the server section measures that.
//
// Method: one enabled and one disabled `next start` of the same build, up together, with
// bench/call-count-preload.cjs. Each gets the mixed warm-up of the server section (≥ 3000
// requests), then per route: counting starts (SIGUSR2), exactly --calls-requests requests go out
// (10 connections), the bench waits 2.5 s so the work each request leaves for later (the kit's
// deferred sends, the 20 ms handover to the posthog-node worker) lands, and counting stops. Per
// request = count / requests. Bundled frames (Turbopack puts the kit, Sentry and the app into
// shared chunks) are attributed through the build's source maps, as --cpu-prof's summary does.

import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, startNext, stopGroup, sleep } from './procs.mjs'
import { ROUTES, WARMUP_REQUESTS, configEnv, runCannon, warmByRequests } from './server-section.mjs'
import { areaOf, resolveFrame, shortPath } from './profile-summary.mjs'
import { fmt, table } from './stats.mjs'

const CONFIGS = ['enabled', 'disabled']
const PRELOAD = join(ROOT, 'bench', 'call-count-preload.cjs')
/** What a request leaves for later (after(), the worker handover, Sentry's span buffer) lands within this. */
const AFTER_MS = 2_500

export async function runCallsSection(ctx) {
  const { opts, outDir, log } = ctx
  const sink = await ctx.getSink()
  const dir = join(outDir, 'calls')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const servers = {}
  const broken = []
  const counts = {}
  try {
    for (const config of CONFIGS) {
      const env = { ...configEnv(config, sink.port, opts.enabledEnv), NODE_OPTIONS: `--require ${PRELOAD}`, OBS_BENCH_CALLS_DIR: dir }
      servers[config] = await startNext({ env, logFile: join(outDir, 'logs', `calls-${config}.log`) })
    }
    for (const config of CONFIGS) {
      const served = await warmByRequests({ url: servers[config].url, requests: WARMUP_REQUESTS, count: Math.max(opts.warmupRequests, 1000), connections: opts.connections })
      log(`    ${config.padEnd(8)} warm-up: ${served} requests`)
    }
    for (const route of opts.routes) {
      counts[route] = {}
      for (const config of CONFIGS) {
        const server = servers[config]
        process.kill(server.pid, 'SIGUSR2')
        await waitForFile(join(dir, `${server.pid}.started`), dir, server.pid)
        const r = await runCannon({ url: server.url + route, headers: ROUTES[route].headers, amount: opts.callsRequests, connections: opts.connections })
        const answered = r.requests.total - r.non2xx - r.errors
        if (answered < opts.callsRequests) broken.push(`${config} ${route}: ${opts.callsRequests - answered} of ${opts.callsRequests} requests failed or answered non-2xx`)
        await sleep(AFTER_MS)
        process.kill(server.pid, 'SIGUSR2')
        const file = join(dir, `${server.pid}.json`)
        await waitForFile(file, dir, server.pid)
        counts[route][config] = { requests: r.requests.total, functions: JSON.parse(readFileSync(file, 'utf8')) }
        rmSync(file)
        rmSync(join(dir, `${server.pid}.started`))
        log(`    ${route.padEnd(10)} ${config.padEnd(8)} ${r.requests.total} requests counted`)
      }
    }
  } finally {
    for (const config of CONFIGS) if (servers[config]) await stopGroup(servers[config].child)
  }

  const result = { method: { requests: opts.callsRequests, connections: opts.connections, afterMs: AFTER_MS, warmupRequests: Math.max(opts.warmupRequests, 1000) }, routes: {} }
  const lines = []
  const verdicts = []
  lines.push(`Calls: one enabled and one disabled next start; per route ${opts.callsRequests} requests counted with V8 precise coverage (request thread; exact counts, no timing), ${AFTER_MS / 1000} s after the last for deferred work`)
  for (const route of opts.routes) {
    const r = summarise(counts[route])
    result.routes[route] = r
    lines.push('')
    lines.push(`Route ${route}  (${ROUTES[route].what}): function calls per request`)
    lines.push(
      table(
        ['area', 'enabled', 'disabled', 'difference'],
        [...r.areas.map((a) => [a.area, fmt(a.enabled, 1), fmt(a.disabled, 1), signed(a.diff)]), ['total', fmt(r.enabled, 1), fmt(r.disabled, 1), `${signed(r.diff)} (${signed((100 * r.diff) / r.disabled, 1)} %)`]],
      ),
    )
    lines.push(`  largest differences per request (function, where): ${r.top.map((t) => `${t.name} ${t.where} ${signed(t.diff)}`).join('; ') || 'none'}`)
    const sdk = r.areas.filter((a) => /^(sentry|posthog|opentelemetry|kit)/.test(a.area)).reduce((s, a) => s + a.diff, 0)
    verdicts.push({ route, result: 'N/A', text: `${route.padEnd(10)} calls per request enabled ${fmt(r.enabled, 0)} / disabled ${fmt(r.disabled, 0)} (${signed((100 * r.diff) / r.disabled, 1)} %; kit and SDK code ${signed(sdk)})` })
  }
  return { result, broken, lines, verdicts }
}

async function waitForFile(file, dir, pid) {
  const deadline = Date.now() + 15_000
  while (!existsSync(file)) {
    const error = join(dir, `${pid}.error`)
    if (existsSync(error)) throw new Error(`call counting failed in server ${pid}: ${readFileSync(error, 'utf8')}`)
    if (Date.now() > deadline) throw new Error(`server ${pid} did not answer the call-count signal (no ${file})`)
    await sleep(50)
  }
}

const signed = (x, d = 1) => `${x >= 0 ? '+' : ''}${fmt(x, d)}`

/** Per-request counts by area and by function, enabled vs disabled. */
function summarise(pair) {
  const per = {}
  for (const config of CONFIGS) {
    const { requests, functions } = pair[config]
    const byKey = new Map()
    for (const f of functions) {
      const where = locate(f)
      if (!where) continue
      const key = `${where.name}\t${where.where}\t${where.area}`
      byKey.set(key, (byKey.get(key) ?? 0) + f.count / requests)
    }
    per[config] = byKey
  }
  const keys = new Set([...per.enabled.keys(), ...per.disabled.keys()])
  const areas = new Map()
  const fns = []
  for (const key of keys) {
    const [name, where, area] = key.split('\t')
    const e = per.enabled.get(key) ?? 0
    const d = per.disabled.get(key) ?? 0
    const a = areas.get(area) ?? { area, enabled: 0, disabled: 0 }
    a.enabled += e
    a.disabled += d
    areas.set(area, a)
    fns.push({ name, where, area, diff: e - d })
  }
  const list = [...areas.values()].map((a) => ({ ...a, diff: a.enabled - a.disabled })).sort((x, y) => y.enabled + y.disabled - (x.enabled + x.disabled))
  const total = (c) => list.reduce((s, a) => s + a[c], 0)
  const top = fns.filter((f) => Math.abs(f.diff) >= 0.05).sort((x, y) => Math.abs(y.diff) - Math.abs(x.diff)).slice(0, 12)
  return { areas: list, enabled: total('enabled'), disabled: total('disabled'), diff: total('enabled') - total('disabled'), top }
}

const lineStarts = new Map()

/** Area, original file and name of a counted function; null for the bench's own preload. */
function locate({ url, name, offset }) {
  if (!url || url.includes('call-count-preload')) return null
  const fileUrl = url.startsWith('/') ? pathToFileURL(url).href : url
  let orig = null
  if (fileUrl.startsWith('file://') && fileUrl.includes('/.next/')) {
    const { line, column } = position(new URL(fileUrl).pathname, offset)
    if (line >= 0) orig = resolveFrame(fileUrl, line, column)
  }
  const source = orig ? orig.source : url
  let area = areaOf(source, name)
  if (/\/\.next\/server\/edge\//.test(url)) area += ' [edge sandbox]'
  const short = shortPath(source)
  return { area, name: name || orig?.name || '(anonymous)', where: orig ? `${short}:${orig.line + 1}` : `${short}@${offset}` }
}

/** 0-based line and column of a character offset in a file (offsets are V8's, in UTF-16 units). */
function position(path, offset) {
  let starts = lineStarts.get(path)
  if (!starts) {
    starts = [0]
    try {
      const text = readFileSync(path, 'utf8')
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1)
    } catch {
      starts = null
    }
    lineStarts.set(path, starts)
  }
  if (!starts) return { line: -1, column: -1 }
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (starts[mid] <= offset) lo = mid
    else hi = mid - 1
  }
  return { line: lo, column: offset - starts[lo] }
}
