// Section "work": the CPU work a request costs the server process, kit enabled vs disabled,
// counted by valgrind's callgrind: instructions executed per request on the request thread and on
// every thread (V8's GC and compiler threads, the posthog-node worker, libuv), per route; with
// --work-cache also the misses of a simulated cache hierarchy.
//
// Why: the server section's req/s ratios carry this machine's noise. Fresh processes differ by up
// to ~10 %, slow stretches come and go, and an A/A run (disabled on both sides) has read 0.964, so
// a 5 % bar on `/` sits inside the spread of any sample the bench can take in minutes. Instruction
// counts do not depend on the machine's speed or its other load: the same build serving the same
// requests executes nearly the same instructions. Unlike the calls section, this counts native
// code too (V8's builtins and GC, Node, libc), and names JIT-compiled JavaScript through the perf
// map that node's --perf-basic-prof writes.
//
// What still varies is when V8 collects garbage and compiles: a major GC (every few thousand
// requests) costs as much as a few hundred requests, mostly on the helper threads, and the
// program then runs a little slower while its inline caches and compiled code recover. So each
// figure is a median over windows, split into the program, garbage collection and compiling
// (by the native function the instructions fall in), and printed with every window. Windows of
// one configuration still differ by up to ~10 %, as much as the `/` bar, so this section gives
// no PASS/FAIL: what it settles is where an enabled request's extra instructions go, function by
// function (the request thread's largest differences), which no timing can.
//
// Method, per pair (--work-pairs, default 1): one enabled and one disabled `next start` of the
// same build, up together under `valgrind --tool=callgrind --instr-atstart=no` (nearly native
// speed until counting starts). Each gets the server section's mixed warm-up (≥ 3000 requests,
// all routes), then counting is switched on and, per route, --work-windows windows of
// --work-requests requests (10 connections): counters zeroed, the requests sent, 3 s for the work
// each request leaves behind (the kit's deferred sends, the posthog-node handover), counters
// dumped. Both servers run their windows at the same time: a count does not depend on sharing the
// CPU. With --work-cache it also prints estimated cycles, instructions + 10 × first-level misses
// + 100 × last-level misses (the weights of callgrind's own "cycle estimation"), which stand in
// for the memory effects of a larger heap.
// It cannot see what runs outside the server: the load generator and the kernel's network stack.

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, startNext, stopGroup, sleep } from './procs.mjs'
import { ROUTES, WARMUP_REQUESTS, configEnv, runCannon, warmByRequests } from './server-section.mjs'
import { resolveFrame, shortPath } from './profile-summary.mjs'
import { fmt, median, table } from './stats.mjs'

const CONFIGS = ['enabled', 'disabled']
/** What a request leaves for later (after(), the 20 ms worker handover) lands within this, even ~30× slowed. */
const AFTER_MS = 3_000
/** callgrind's cycle estimation: a first-level miss ~10 cycles, a last-level miss ~100. */
const L1_MISS_CYCLES = 10
const LL_MISS_CYCLES = 100
/** Under callgrind a request takes ~100× longer: per-request timeout and the hang guard, in seconds. */
const REQUEST_TIMEOUT_S = 120
const WINDOW_GUARD_S = 1_800

export async function runWorkSection(ctx) {
  const { opts, outDir, log } = ctx
  const valgrind = valgrindVersion()
  if (!valgrind) {
    const why = 'valgrind is not installed (apt-get install -y valgrind)'
    return { result: { skipped: why }, broken: [], lines: [`Skipped: ${why}.`], verdicts: opts.routes.map((route) => ({ route, result: 'N/A', text: `${route.padEnd(10)} work per request: skipped, ${why}` })) }
  }
  const sink = await ctx.getSink()
  const dir = join(outDir, 'work')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const windows = []
  /** route → config → Map(function → Ir on the request thread, summed over windows); and requests. */
  const byFunction = Object.fromEntries(opts.routes.map((r) => [r, Object.fromEntries(CONFIGS.map((c) => [c, { fns: new Map(), requests: 0 }]))]))
  const broken = []
  const failures = []

  for (let pair = 0; pair < opts.workPairs; pair++) {
    const servers = {}
    try {
      await Promise.all(
        CONFIGS.map(async (config) => {
          const base = join(dir, `${config}-${pair}.cg`)
          servers[config] = await startNext({
            env: configEnv(config, sink.port, opts.enabledEnv),
            logFile: join(outDir, 'logs', `work-${config}-${pair}.log`),
            readyTimeoutMs: 300_000,
            nodeArgs: ['--perf-basic-prof'],
            wrapper: ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--cache-sim=${opts.workCache ? 'yes' : 'no'}`, `--callgrind-out-file=${base}`],
          })
          Object.assign(servers[config], { base, part: 0 })
        }),
      )
      const warmup = Math.max(opts.warmupRequests, 1000)
      await Promise.all(
        CONFIGS.map(async (config) => {
          await warmByRequests({ url: servers[config].url, requests: WARMUP_REQUESTS, count: warmup, batch: 500, connections: opts.connections, timeoutS: REQUEST_TIMEOUT_S, guardS: WINDOW_GUARD_S })
          callgrindControl(servers[config].pid, '--instr=on')
        }),
      )
      log(`    pair ${pair + 1}: both servers warmed (${warmup} requests each), counting on`)

      for (const route of opts.routes) {
        for (let w = 0; w < opts.workWindows; w++) {
          await Promise.all(
            CONFIGS.map(async (config) => {
              const server = servers[config]
              callgrindControl(server.pid, '--zero')
              const r = await runCannon({ url: server.url + route, headers: ROUTES[route].headers, amount: opts.workRequests, connections: opts.connections, timeoutS: REQUEST_TIMEOUT_S, guardS: WINDOW_GUARD_S })
              const answered = r.requests.total - r.non2xx - r.errors
              // Per request = per answered request; a few timeouts under valgrind's ~100× slowdown are noted, not fatal.
              if (answered < 0.95 * opts.workRequests) broken.push(`${config} ${route}: ${opts.workRequests - answered} of ${opts.workRequests} requests failed or answered non-2xx`)
              else if (answered < opts.workRequests) failures.push(`${config} ${route} window ${w + 1}: ${opts.workRequests - answered} of ${opts.workRequests} requests failed or timed out`)
              await sleep(AFTER_MS)
              callgrindControl(server.pid, '--dump')
              server.part += 1
              const dump = await readDump(server.base, server.part)
              const jit = perfMap(server.pid)
              const kinds = dump.threads.map((t) => ({ main: t === dump.main, ...byKind(t.file, jit, t === dump.main ? byFunction[route][config].fns : null) }))
              byFunction[route][config].requests += answered
              windows.push({ pair, config, route, window: w, requests: answered, ...perRequest(dump, kinds, answered) })
            }),
          )
          const last = windows.slice(-2)
          log(`    ${route.padEnd(10)} window ${w + 1}/${opts.workWindows}, million instructions per request (request thread / all threads): ${last.map((x) => `${x.config} ${fmt(x.irMain / 1e6, 3)} / ${fmt(x.irAll / 1e6, 3)}`).join('; ')}`)
        }
      }
    } finally {
      for (const config of CONFIGS) {
        if (!servers[config]) continue
        await stopGroup(servers[config].child)
        rmSync(`/tmp/perf-${servers[config].pid}.map`, { force: true })
      }
    }
  }
  rmSync(dir, { recursive: true, force: true })

  const cache = opts.workCache
  const result = { valgrind, method: { pairs: opts.workPairs, windows: opts.workWindows, requests: opts.workRequests, connections: opts.connections, afterMs: AFTER_MS, cacheSim: cache, ...(cache ? { l1MissCycles: L1_MISS_CYCLES, llMissCycles: LL_MISS_CYCLES } : {}) }, windows, routes: {} }
  const lines = [
    `Work: ${valgrind} callgrind${cache ? ' with a simulated cache' : ''}; ${opts.workPairs} enabled + disabled pair(s) of next start, each warmed with ≥ ${Math.max(opts.warmupRequests, 1000)} mixed requests, then per route ${opts.workWindows} windows of ${opts.workRequests} requests (+${AFTER_MS / 1000} s for deferred work) counted`,
    `  per request, medians over windows; request thread = the thread that serves requests (JavaScript, V8's builtins, Node, the scavenges it runs), all threads adds V8's GC and compiler threads, the posthog-node worker and libuv${cache ? '; est. cycles = instructions + 10 × L1 misses + 100 × last-level misses' : ''}`,
  ]
  if (failures.length) lines.push(`  not answered (left out of the per-request figures): ${failures.join('; ')}`)
  const verdicts = []
  for (const route of opts.routes) {
    const ws = (config) => windows.filter((x) => x.route === route && x.config === config)
    const keys = ['irMain', 'irAll', 'mutatorMain', 'mutatorAll', 'gcMain', 'gcAll', 'compileAll', ...(cache ? ['cyclesMain', 'cyclesAll', 'l1All', 'llAll'] : [])]
    const r = Object.fromEntries(CONFIGS.map((c) => [c, Object.fromEntries(keys.map((k) => [k, median(ws(c).map((x) => x[k]))]))]))
    const ratio = (k) => r.enabled[k] / r.disabled[k]
    // results.json keeps the 50 largest, so one function can be followed between runs.
    const differences = topDifferences(byFunction[route], 50)
    const top = differences.slice(0, 10)
    result.routes[route] = { ...r, ratios: Object.fromEntries(keys.map((k) => [k, ratio(k)])), top: differences }
    const row = (label, k, digits = 3) => [label, fmt(r.enabled[k] / 1e6, digits), fmt(r.disabled[k] / 1e6, digits), fmt(ratio(k), 3)]
    const spread = (k) => CONFIGS.map((c) => `${c} ${ws(c).map((x) => fmt(x[k] / 1e6, 2)).join(' ')}`).join('; ')
    lines.push('')
    lines.push(`Route ${route}  (${ROUTES[route].what}): per request, millions`)
    lines.push(
      table(
        ['', 'enabled', 'disabled', 'enabled/disabled'],
        [
          row('instructions, request thread', 'irMain'),
          row('instructions, all threads', 'irAll'),
          row('  the program, request thread', 'mutatorMain'),
          row('  the program, all threads', 'mutatorAll'),
          row('  garbage collection, request thread', 'gcMain'),
          row('  garbage collection, all threads', 'gcAll'),
          row('  compiling, all threads', 'compileAll'),
          ...(cache ? [row('est. cycles, request thread', 'cyclesMain'), row('est. cycles, all threads', 'cyclesAll'), row('L1 misses, all threads', 'l1All', 4), row('last-level misses, all threads', 'llAll', 5)] : []),
        ],
      ),
    )
    lines.push(`  windows, the program on all threads: ${spread('mutatorAll')}`)
    lines.push(`  windows, garbage collection:         ${spread('gcAll')}`)
    lines.push(`  windows, all instructions:           ${spread('irAll')}`)
    lines.push(`  largest differences on the request thread, thousand instructions per request (enabled − disabled): ${top.map((t) => `${t.name} ${signed(t.diff / 1e3)}`).join('; ') || 'none'}`)
    // No PASS/FAIL: the windows of one configuration differ by up to ~10 % (GC and JIT timing),
    // as much as the bar; the figures and the per-function differences are the finding.
    verdicts.push({
      route,
      result: 'N/A',
      text: `${route.padEnd(10)} instructions per request enabled/disabled: request thread ${fmt(ratio('irMain'), 3)}, all threads ${fmt(ratio('irAll'), 3)}, the program on all threads ${fmt(ratio('mutatorAll'), 3)} (medians of ${opts.workWindows * opts.workPairs} windows)`,
    })
  }
  return { result, broken, lines, verdicts }
}

const signed = (x, d = 1) => `${x >= 0 ? '+' : ''}${fmt(x, d)}`

function valgrindVersion() {
  try {
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' })
    return execFileSync('valgrind', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return null
  }
}

function callgrindControl(pid, command) {
  execFileSync('callgrind_control', [command, String(pid)], { stdio: 'ignore', timeout: 120_000 })
}

/** The per-thread files of dump `part` (`<base>.<part>-<thread>`), once written: `{ main, threads }`. */
async function readDump(base, part) {
  const dir = join(base, '..')
  const prefix = `${base.slice(dir.length + 1)}.${part}-`
  const deadline = Date.now() + 60_000
  for (;;) {
    const files = readdirSync(dir).filter((f) => f.startsWith(prefix)).sort()
    const threads = files.map((f) => ({ file: join(dir, f), thread: Number(f.slice(prefix.length)), ...readTotals(join(dir, f)) }))
    if (threads.length && threads.every((t) => t.complete)) return { main: threads.find((t) => t.thread === 1) ?? threads[0], threads }
    if (Date.now() > deadline) throw new Error(`callgrind dump ${prefix}* was not written`)
    await sleep(200)
  }
}

/** The `events:` and `summary:` (or `totals:`) lines of a callgrind file, as { Ir, D1mr, … }. */
function readTotals(file) {
  const text = readFileSync(file, 'utf8')
  const names = /^events: (.+)$/m.exec(text)?.[1].trim().split(/\s+/)
  const values = /^(?:summary|totals): (.+)$/m.exec(text)?.[1].trim().split(/\s+/).map(Number)
  if (!names || !values) return { complete: false, ev: {} }
  return { complete: true, ev: Object.fromEntries(names.map((n, i) => [n, values[i] ?? 0])) }
}

function perRequest({ main, threads }, kinds, requests) {
  const misses = (ev, level) => (level === 'L1' ? (ev.I1mr ?? 0) + (ev.D1mr ?? 0) + (ev.D1mw ?? 0) : (ev.ILmr ?? 0) + (ev.DLmr ?? 0) + (ev.DLmw ?? 0))
  const cycles = (ev) => (ev.Ir ?? 0) + L1_MISS_CYCLES * misses(ev, 'L1') + LL_MISS_CYCLES * misses(ev, 'LL')
  const sum = (f) => threads.reduce((s, t) => s + f(t.ev), 0)
  const kind = (k, mainOnly) => kinds.filter((x) => !mainOnly || x.main).reduce((s, x) => s + x[k], 0) / requests
  return {
    irMain: (main.ev.Ir ?? 0) / requests,
    cyclesMain: cycles(main.ev) / requests,
    irAll: sum((ev) => ev.Ir ?? 0) / requests,
    cyclesAll: sum(cycles) / requests,
    l1All: sum((ev) => misses(ev, 'L1')) / requests,
    llAll: sum((ev) => misses(ev, 'LL')) / requests,
    mutatorMain: kind('mutator', true),
    gcMain: kind('gc', true),
    mutatorAll: kind('mutator'),
    gcAll: kind('gc'),
    compileAll: kind('compile'),
  }
}

// Where V8 spends instructions on memory rather than on the program: scavenges, marking,
// sweeping, compaction and their bookkeeping (on any thread). The write barrier and allocation
// fast paths stay with the program that runs them.
const GC = /Scaveng|Marking|MarkCompact|MarkBit|Sweep|Evacuat|Compactor|RememberedSet|SlotSet|TypedSlot|Worklist|GCTracer|Heap::|BodyDescriptor|ObjectVisitor|RootVisitor|GlobalHandles|MemoryAllocator|MemoryChunk|PagedSpace|NewSpace|SemiSpace|FreeList|LargeObjectSpace|cppgc|ArrayBufferSweeper|WeakObjects|Pretenuring|ConcurrentMarking|IncrementalMarking|Collector/
// Compiling JavaScript (parser, bytecode, Sparkplug, Maglev, TurboFan) and regular expressions.
const COMPILE = /compiler::|maglev::|Maglev|interpreter::Bytecode(Generator|ArrayBuilder|ArrayWriter)|Parser|Scanner|Compiler::|CompilationJob|baseline::|Assembler|RegExpCompiler|regexp::|RegExpBytecode|CodeGenerator|InstructionSelector|RegisterAllocator|Zone::/

/**
 * One thread's instructions by kind (mutator, gc, compile), from callgrind_annotate's self costs;
 * `fns` (the request thread's) also gets them per function, JIT code named through the perf map.
 */
function byKind(file, jit, fns) {
  const out = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', '--show=Ir', '--sort=Ir', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  const total = { mutator: 0, gc: 0, compile: 0 }
  for (const line of out.split('\n')) {
    const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line)
    if (!m || m[2].includes('PROGRAM TOTALS')) continue
    const ir = Number(m[1].replaceAll(',', ''))
    const name = nameOf(m[2], jit)
    if (!name) continue
    total[GC.test(m[2]) ? 'gc' : COMPILE.test(m[2]) ? 'compile' : 'mutator'] += ir
    if (fns) fns.set(name, (fns.get(name) ?? 0) + ir)
  }
  return total
}

// Frames every request passes through (main, the event loop…): their self cost is ~0.
const OUTER_FRAMES = /^(main|\(below main\)|node::(Start|NodeMainInstance::Run|SpinEventLoopInternal)\b)|libc-start|libc_start_call_main|^0x000000000001ab70$/

function nameOf(raw, jit) {
  const hex = /^\?\?\?:0x([0-9a-f]+)(?:'\d+)? \[\?\?\?\]$/.exec(raw)
  if (hex) {
    // JIT code is named by the perf map; the same function's frames ('2, '3…) are one.
    const fn = jit.lookup(parseInt(hex[1], 16))
    if (!fn) return 'JIT code (unnamed)'
    // "JS:*append /app/node_modules/next/…/index.js:1:354727", "RegExp:[^\t\x20-\x7e]", "Builtin:…"
    const [, kind, rest] = /^(\w+):(.*)$/.exec(fn) ?? [, '', fn]
    const at = rest.lastIndexOf(' ')
    if (kind === 'RegExp' || at < 0) return `${kind === 'RegExp' ? 'RegExp ' : ''}${rest}`.slice(0, 100)
    return `${rest.slice(0, at) || '(anonymous)'} (${where(rest.slice(at + 1))})`
  }
  const name = raw.replace(/\s*\[[^\]]*\]$/, '').replace(/^\?\?\?:/, '').replace(/^\.\/[^:]*:/, '')
  if (OUTER_FRAMES.test(name)) return null
  // C++: drop template arguments, parameters and the namespace, which only make the line long.
  let short = name.replace(/\(.*$/, '')
  while (/<[^<>]*>/.test(short)) short = short.replace(/<[^<>]*>/g, '')
  return short.replace(/^.*\s(?=\S+$)/, '').replace(/^(v8::internal::|v8::|heap::base::)/, '').replace(/'\d+$/, '').slice(0, 100)
}

/** `path:line:column` of JIT code; the build's chunks (the kit, Sentry, the app) through their source maps. */
function where(location) {
  const m = /^(.*):(\d+):(\d+)$/.exec(location)
  if (m && m[1].includes('/.next/')) {
    const orig = resolveFrame(pathToFileURL(m[1]).href, Number(m[2]) - 1, Number(m[3]) - 1)
    if (orig) return `${shortPath(orig.source)}:${orig.line + 1}`
  }
  return shortPath(location.replace(`${ROOT}/`, ''))
}

/** `/tmp/perf-<pid>.map` (start size name per line), the latest entry winning where code was replaced. */
function perfMap(pid) {
  const file = `/tmp/perf-${pid}.map`
  const latest = new Map()
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [start, size, ...name] = line.split(' ')
      if (start && size) latest.set(parseInt(start, 16), { end: parseInt(start, 16) + parseInt(size, 16), name: name.join(' ') })
    }
  }
  const starts = [...latest.keys()].sort((a, b) => a - b)
  return {
    lookup(addr) {
      let lo = 0, hi = starts.length - 1, best = -1
      while (lo <= hi) {
        const mid = (lo + hi) >> 1
        if (starts[mid] <= addr) { best = mid; lo = mid + 1 } else hi = mid - 1
      }
      const e = best >= 0 ? latest.get(starts[best]) : undefined
      return e && addr < e.end ? e.name : null
    },
  }
}

/** The `count` functions whose request-thread instructions per request differ most, enabled − disabled. */
function topDifferences(pair, count) {
  const per = (c) => (name) => (pair[c].fns.get(name) ?? 0) / Math.max(pair[c].requests, 1)
  const e = per('enabled')
  const d = per('disabled')
  const names = new Set([...pair.enabled.fns.keys(), ...pair.disabled.fns.keys()])
  return [...names]
    .map((name) => ({ name, enabled: e(name), disabled: d(name), diff: e(name) - d(name) }))
    .filter((t) => Math.abs(t.diff) >= 500)
    .sort((x, y) => Math.abs(y.diff) - Math.abs(x.diff))
    .slice(0, count)
}
