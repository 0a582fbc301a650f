import { type ChildProcess, spawn } from 'node:child_process'
import { cpSync, existsSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { freePort } from '../../support/next-server'
import type { Cell } from './cells'
import { machineEnv, tail } from './run'

export interface AppServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** The origin and the app's basePath: where the app's own `/` is. */
  readonly base: string
  /** Everything the server printed so far. */
  output(): string
  /** SIGTERM, as a deploy stops a server: resolves once it exited; `graceful` is false if it had to be killed. */
  stop(): Promise<{ graceful: boolean; code: number | null }>
}

/**
 * Starts the built app the way its owner would: `next start`, or for `output: 'standalone'` the
 * generated `server.js`, with `public/` and `.next/static` copied next to it as Next's docs say.
 * `env` is the whole of the kit's environment: nothing leaks in from the test process.
 */
export async function startApp(dir: string, cell: Cell, env: Record<string, string | undefined>): Promise<AppServer> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const base = `${origin}${cell.basePath}`
  let child: ChildProcess
  if (cell.standalone) {
    const standalone = join(dir, '.next/standalone')
    if (!existsSync(join(standalone, 'server.js'))) throw new Error(`no .next/standalone/server.js in ${dir}: did the build run with output: 'standalone'?`)
    cpSync(join(dir, 'public'), join(standalone, 'public'), { recursive: true })
    cpSync(join(dir, '.next/static'), join(standalone, '.next/static'), { recursive: true })
    child = spawn(process.execPath, ['server.js'], {
      cwd: standalone,
      env: machineEnv({ ...env, PORT: String(port), HOSTNAME: '127.0.0.1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
  } else {
    child = spawn(process.execPath, [join(dir, 'node_modules/next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)], {
      cwd: dir,
      env: machineEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
  }
  let out = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const server: AppServer = { origin, base, output: () => out, stop: () => stop(child) }

  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited early (${child.exitCode}):\n${tail(out)}`)
    // The favicon: served by the app, never tracked, so probing adds no event.
    if ((await probe(`${base}/favicon.ico`)) !== 0) return server
    await new Promise((r) => setTimeout(r, 150))
  }
  await server.stop()
  throw new Error(`the app did not answer within 60 s:\n${tail(out)}`)
}

function stop(child: ChildProcess): Promise<{ graceful: boolean; code: number | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve({ graceful: true, code: child.exitCode })
    // Past the kit's own shutdown budget: a server still running then is stuck.
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // already gone
      }
      resolve({ graceful: false, code: null })
    }, 20_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ graceful: true, code })
    })
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      clearTimeout(timer)
      resolve({ graceful: true, code: child.exitCode })
    }
  })
}

/** The status of a GET on a fresh connection, or 0 when nothing answered. */
function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 2_000 }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(0))
    req.end()
  })
}
