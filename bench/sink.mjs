// Ingestion sink: stands in for PostHog and Sentry during the benchmark. Answers every request
// 200 {"status":"Ok"} once the body has been read, without decoding anything, and counts
// requests and bytes (total and per backend, by path only).
//
// It runs as its own child process (`forkSink()`), not inside the bench process: the bench's
// event loop drives autocannon, and a sink sharing it would slow the load generator only in the
// enabled configuration, which would bias the comparison against the kit.
//
// Run directly (`node bench/sink.mjs`) it is the child side: it listens on 127.0.0.1, reports its
// port over IPC and answers `{ type: 'stats' }` messages.

import { fork } from 'node:child_process'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'

const SELF = fileURLToPath(import.meta.url)

/** Which backend a request was meant for, from its path alone (cheap, no body decoding). */
function kindOf(url) {
  const path = (url ?? '').split('?', 1)[0]
  if (/^\/api\/[^/]+\/(envelope|store)\/?$/.test(path)) return 'sentry'
  if (/^\/(batch|e|i\/v0\/e|capture|track|flags|decide)\/?/.test(path)) return 'posthog'
  return 'other'
}

function emptyStats() {
  return {
    requests: 0,
    bytes: 0,
    byKind: { posthog: { requests: 0, bytes: 0 }, sentry: { requests: 0, bytes: 0 }, other: { requests: 0, bytes: 0 } },
    otherPaths: {},
  }
}

/** Starts the sink in this process. Resolves to `{ port, stats(), close() }`. */
export function startSink() {
  const stats = emptyStats()
  const server = createServer((req, res) => {
    const kind = kindOf(req.url)
    let bytes = 0
    req.on('data', (chunk) => (bytes += chunk.length))
    req.on('error', () => {})
    req.on('end', () => {
      stats.requests++
      stats.bytes += bytes
      stats.byKind[kind].requests++
      stats.byKind[kind].bytes += bytes
      if (kind === 'other') {
        const p = `${req.method} ${(req.url ?? '').split('?', 1)[0]}`.slice(0, 120)
        if (p in stats.otherPaths || Object.keys(stats.otherPaths).length < 50) stats.otherPaths[p] = (stats.otherPaths[p] ?? 0) + 1
      }
      const answer = projectAnswer(req.url ?? '')
      if (answer) {
        res.writeHead(200, { 'content-type': answer.type, 'content-length': String(answer.body.length) })
        return res.end(answer.body)
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '15' })
      res.end('{"status":"Ok"}')
    })
  })
  server.keepAliveTimeout = 30_000
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({
        port,
        stats: () => ({ ...structuredClone(stats), cpuMs: cpuMs() }),
        close: () => new Promise((r) => server.close(() => r())),
      })
    })
  })
}

/**
 * What a PostHog project with session replay on answers besides "Ok" (its remote config, `/flags`,
 * posthog-js's lazy scripts such as the recorder), as the test fake and local mode answer it
 * (the kit's `posthog-answers`, from its build): the browser then loads what it would load
 * against PostHog. Undefined for everything else.
 */
function projectAnswer(url) {
  if (!answers) return undefined
  const path = url.split('?', 1)[0]
  const config = answers.remoteConfigRequest(path)
  if (config) {
    return config.script
      ? { type: 'application/javascript', body: Buffer.from(answers.remoteConfigScript(config.token, answers.DEFAULT_REMOTE_CONFIG)) }
      : { type: 'application/json', body: Buffer.from(JSON.stringify(answers.DEFAULT_REMOTE_CONFIG)) }
  }
  if (/^\/flags\/?$/.test(path))
    return { type: 'application/json', body: Buffer.from(JSON.stringify(answers.flagsResponse({}, {}, answers.DEFAULT_REMOTE_CONFIG))) }
  const name = answers.posthogStaticName(path)
  const file = name && answers.readPosthogStatic(name, POSTHOG_DIST)
  return file ? { type: 'application/javascript', body: file } : undefined
}

const POSTHOG_DIST = fileURLToPath(new URL('../node_modules/posthog-js/dist', import.meta.url))
let answers

function cpuMs() {
  const u = process.cpuUsage()
  return Math.round((u.user + u.system) / 1000)
}

/**
 * Parent side: forks this file as a separate process in its own process group and resolves to
 * `{ port, pid, stats(): Promise<Stats>, stop() }`. `onChild(child)` lets the caller register it
 * for cleanup before anything can fail.
 */
export function forkSink({ onChild, timeoutMs = 15_000 } = {}) {
  const child = fork(SELF, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true, env: { PATH: process.env.PATH ?? '' } })
  onChild?.(child)
  child.on('error', () => {}) // a send after the sink was stopped (SIGINT) rejects the stats() call instead
  let seq = 0
  const pending = new Map()
  child.on('message', (msg) => {
    if (msg?.type === 'stats' && pending.has(msg.id)) {
      pending.get(msg.id)(msg.stats)
      pending.delete(msg.id)
    }
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sink did not start within 15 s')), timeoutMs)
    child.once('exit', (code) => reject(new Error(`sink exited early (${code})`)))
    child.on('message', function onReady(msg) {
      if (msg?.type !== 'ready') return
      clearTimeout(timer)
      child.off('message', onReady)
      resolve({
        port: msg.port,
        pid: child.pid,
        child,
        stats: () =>
          new Promise((res, rej) => {
            if (!child.connected) return rej(new Error('the sink is gone'))
            const id = ++seq
            const t = setTimeout(() => {
              pending.delete(id)
              rej(new Error('sink did not answer a stats request within 5 s'))
            }, 5_000)
            pending.set(id, (s) => {
              clearTimeout(t)
              res(s)
            })
            child.send({ type: 'stats', id })
          }),
        stop: () =>
          new Promise((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res()
            const t = setTimeout(() => {
              try {
                process.kill(-child.pid, 'SIGKILL')
              } catch {}
            }, 3_000)
            child.once('exit', () => {
              clearTimeout(t)
              res()
            })
            try {
              process.kill(-child.pid, 'SIGTERM')
            } catch {
              clearTimeout(t)
              res()
            }
          }),
      })
    })
  })
}

/** Difference of two stats snapshots (after − before). */
export function diffStats(after, before) {
  const d = emptyStats()
  d.requests = after.requests - before.requests
  d.bytes = after.bytes - before.bytes
  for (const k of Object.keys(d.byKind)) {
    d.byKind[k].requests = after.byKind[k].requests - before.byKind[k].requests
    d.byKind[k].bytes = after.byKind[k].bytes - before.byKind[k].bytes
  }
  for (const [p, n] of Object.entries(after.otherPaths)) {
    const delta = n - (before.otherPaths[p] ?? 0)
    if (delta) d.otherPaths[p] = delta
  }
  if (after.cpuMs !== undefined && before.cpuMs !== undefined) d.cpuMs = after.cpuMs - before.cpuMs
  return d
}

if (process.argv[2] === '--child' && typeof process.send === 'function') {
  // The kit's build holds the answers; without it (never built) the sink answers "Ok" to everything.
  answers = await import('../lib/observability/dist/server/local/ingest/posthog-answers.js').catch(() => undefined)
  const sink = await startSink()
  process.on('message', (msg) => {
    if (msg?.type === 'stats') process.send({ type: 'stats', id: msg.id, stats: sink.stats() })
  })
  // Never outlive the bench: the IPC channel closes when the parent dies, however it dies.
  process.on('disconnect', () => process.exit(0))
  process.on('SIGTERM', () => process.exit(0))
  process.send({ type: 'ready', port: sink.port })
}
