// Child processes for the benchmark: `next build`, `next start`, their process trees (RSS, CPU
// time from /proc) and a cleanup registry that kills every process group we started, whatever
// way the bench ends (normal exit, error, SIGINT/SIGTERM, watchdog).

import { spawn, execFileSync } from 'node:child_process'
import { createWriteStream, existsSync, readFileSync, readdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const NEXT_BIN = join(ROOT, 'node_modules/next/dist/bin/next')

// ---------------------------------------------------------------- cleanup registry

const live = new Set()

/** Registers a child started with `detached: true` (its own process group) for cleanup. */
export function track(child) {
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

/** Synchronous last resort (process 'exit' handler): SIGKILL every group still alive. */
export function killAllSync() {
  for (const child of live) {
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {}
  }
  live.clear()
}

/** SIGTERM a process group, SIGKILL it after `graceMs`. Resolves once the leader has exited. */
export function stopGroup(child, graceMs = 8_000) {
  return new Promise((resolve) => {
    if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    }, graceMs)
    const hard = setTimeout(resolve, graceMs + 3_000) // never wait forever, even for a zombie
    child.once('exit', () => {
      clearTimeout(timer)
      clearTimeout(hard)
      // Anything the leader left behind in its group goes too.
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
      resolve()
    })
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      clearTimeout(timer)
      clearTimeout(hard)
      resolve()
    }
  })
}

/** Newest first: servers go before the sink they may still be flushing telemetry to. */
export async function stopAll() {
  for (const child of [...live].reverse()) await stopGroup(child, 5_000)
}

// ---------------------------------------------------------------- environment, ports

const PASS_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TERM', 'TZ']

/**
 * The environment of a clean machine: a short allow-list from the parent, nothing else. In
 * particular no POSTHOG_*, SENTRY_*, OBSERVABILITY_*, DEBUG or NODE_OPTIONS leaks in from the
 * shell that runs the bench; the configurations add exactly what they mean to set.
 */
export function cleanEnv(extra = {}) {
  const env = {}
  for (const k of PASS_THROUGH) if (process.env[k] !== undefined) env[k] = process.env[k]
  env.NEXT_TELEMETRY_DISABLED = '1'
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v
  return env
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

// ---------------------------------------------------------------- build

export function hasBuild() {
  return existsSync(join(ROOT, '.next/BUILD_ID'))
}

export function buildId() {
  try {
    return readFileSync(join(ROOT, '.next/BUILD_ID'), 'utf8').trim()
  } catch {
    return null
  }
}

/** `next build` with a clean environment (nothing set: the kit reads its config at runtime). */
export function nextBuild({ logFile, timeoutMs = 600_000, cwd = ROOT }) {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logFile)
    let tail = ''
    const child = track(spawn(process.execPath, [NEXT_BIN, 'build'], { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true }))
    const onData = (d) => {
      log.write(d)
      tail = (tail + d.toString()).slice(-6_000)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    const timer = setTimeout(() => {
      tail += `\n[bench] next build exceeded ${timeoutMs / 1000} s, killed`
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    }, timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      log.end()
      if (code === 0) resolve()
      else reject(new Error(`next build failed (${code ?? signal}); log ${logFile}:\n${tail}`))
    })
  })
}

// ---------------------------------------------------------------- next start

/**
 * `next start` on a free 127.0.0.1 port in its own process group; resolves once `/api/health`
 * answers 200. Output goes to `logFile` and a bounded in-memory tail. `wrapper`: a command the
 * server runs under (valgrind and its options, say), in front of node.
 */
export async function startNext({ env, logFile, readyTimeoutMs = 60_000, nodeArgs = [], wrapper = [], cwd = ROOT }) {
  const port = await freePort()
  const childEnv = cleanEnv(env)
  const log = createWriteStream(logFile)
  let tail = ''
  const started = Date.now()
  const child = track(
    spawn(
      wrapper[0] ?? process.execPath,
      [...wrapper.slice(1), ...(wrapper.length ? [process.execPath] : []), ...nodeArgs, NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', String(port)],
      {
        cwd,
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    ),
  )
  const onData = (d) => {
    log.write(d)
    tail = (tail + d.toString()).slice(-20_000)
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  child.once('exit', () => log.end())
  const url = `http://127.0.0.1:${port}`
  const server = { url, port, pid: child.pid, child, output: () => tail, stop: () => stopGroup(child) }

  const deadline = Date.now() + readyTimeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`next start exited early (${child.exitCode ?? child.signalCode}); log ${logFile}:\n${tail}`)
    }
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) })
      await res.arrayBuffer()
      if (res.ok) {
        server.readyMs = Date.now() - started
        return server
      }
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  await server.stop()
  throw new Error(`next start did not answer /api/health within ${readyTimeoutMs / 1000} s; log ${logFile}:\n${tail}`)
}

// ---------------------------------------------------------------- /proc: tree, RSS, CPU

let clkTck
function ticksPerSecond() {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clkTck = 100
    }
  }
  return clkTck
}

/** `/proc/<pid>/stat` fields after the command name: [state, ppid, …]. */
function statFields(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return s.slice(s.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/** The pid and all its descendants (next start may fork a worker; today it renames itself). */
export function processTree(rootPid) {
  const children = new Map()
  let entries = []
  try {
    entries = readdirSync('/proc')
  } catch {}
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue
    const f = statFields(name)
    if (!f) continue
    const ppid = Number(f[1])
    if (!children.has(ppid)) children.set(ppid, [])
    children.get(ppid).push(Number(name))
  }
  const out = []
  const stack = [rootPid]
  while (stack.length && out.length < 1_000) {
    const pid = stack.pop()
    out.push(pid)
    for (const c of children.get(pid) ?? []) stack.push(c)
  }
  return out
}

function vmRssKb(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

function commOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return '?'
  }
}

/** Summed VmRSS (MB) and CPU time (ms, user+system) of the whole tree, plus who is in it. */
export function treeSample(rootPid) {
  const pids = processTree(rootPid)
  let rssKb = 0
  let ticks = 0
  for (const pid of pids) {
    rssKb += vmRssKb(pid)
    const f = statFields(pid)
    if (f) ticks += Number(f[11]) + Number(f[12]) // utime, stime
  }
  return { rssMb: rssKb / 1024, cpuMs: (ticks * 1000) / ticksPerSecond(), pids: pids.map((p) => `${p}:${commOf(p)}`) }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms))
}

/** Busy CPU time of the whole machine (ms, all cores) from /proc/stat: everything but idle/iowait. */
export function machineBusyMs() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number)
    return ((user + nice + system + irq + softirq + steal) * 1000) / ticksPerSecond()
  } catch {
    return NaN
  }
}
