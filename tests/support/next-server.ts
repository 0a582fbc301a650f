import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { get } from 'node:http'
import { createServer } from 'node:net'
import { join } from 'node:path'

export const ROOT = join(__dirname, '../..')
const NEXT_BIN = join(ROOT, 'node_modules/next/dist/bin/next')
/** The tests' own build folder, so a running `next dev` or benchmark is never disturbed. */
export const TEST_DIST_DIR = '.next-test'

export interface NextServer {
  readonly url: string
  readonly port: number
  /** Everything the server printed so far (stdout and stderr). */
  output(): string
  stop(): Promise<void>
}

/** Environment of a clean machine: nothing of the kit's switches leaks in from the parent. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = {} as NodeJS.ProcessEnv
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TERM']) if (process.env[k]) env[k] = process.env[k]
  env.NEXT_TELEMETRY_DISABLED = '1'
  env.OBS_DIST_DIR = TEST_DIST_DIR
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v
  return env
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * Runs `next build` once for a project directory (the repo by default), with no keys set. The
 * demo imports the kit's built package: it is rebuilt first if any of its sources changed.
 */
export async function buildApp(dir = ROOT): Promise<void> {
  if (dir === ROOT) await run(process.execPath, [join(ROOT, 'lib/observability/build.mjs'), '--if-stale'], ROOT, { ...process.env }, 300_000)
  await run(process.execPath, [NEXT_BIN, 'build'], dir, cleanEnv(), 600_000)
}

/**
 * `next start` on a free port with the given environment; resolves once it answers. It listens on
 * 127.0.0.1 unless `hostname` says otherwise (`::` to also take requests from other addresses);
 * `url` always names 127.0.0.1.
 */
export async function startNext(env: Record<string, string | undefined> = {}, dir = ROOT, hostname = '127.0.0.1'): Promise<NextServer> {
  if (!existsSync(join(dir, TEST_DIST_DIR, 'BUILD_ID'))) throw new Error(`no build in ${dir}: run next build first`)
  const port = await freePort()
  let out = ''
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-H', hostname, '-p', String(port)], {
    cwd: dir,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const url = `http://127.0.0.1:${port}`
  const server: NextServer = { url, port, output: () => out, stop: () => stop(child) }
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited early (${child.exitCode}):\n${out}`)
    try {
      if ((await probe(`${url}/api/health`)) === 200) return server
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150))
  }
  await server.stop()
  throw new Error(`next start did not answer within 60 s:\n${out}`)
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve()
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // already gone
      }
    }, 5_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      clearTimeout(timer)
      resolve()
    }
  })
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = ''
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve()
      else reject(new Error(`${args.join(' ')} failed (${code}):\n${out}`))
    })
  })
}

/** A readiness probe on a fresh connection, so no keep-alive socket holds the server open later. */
function probe(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: 2_000 }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
  })
}
