import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { cleanEnv, freePort, ROOT, type NextServer } from './next-server'

const NEXT_BIN = join(ROOT, 'node_modules/next/dist/bin/next')

/** `next dev`'s own folder, so it never touches `.next` of a developer's running `npm run demo`. */
export const DEV_DIST_DIR = '.next-dev-test'

/**
 * A copy of the demo app (sources only; `node_modules` resolves from the repo above it) for
 * `next dev`, which rewrites `next-env.d.ts` and `tsconfig.json` and compiles into its folder:
 * the repo itself stays untouched while other work goes on in it.
 */
export function copyApp(name: string): string {
  const dir = join(ROOT, '.test-builds', name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const entry of [
    'app',
    'components',
    'lib',
    'public',
    'instrumentation.ts',
    'instrumentation-client.ts',
    'middleware.ts',
    'proxy.ts',
    'next.config.ts',
    'tsconfig.json',
    'package.json',
  ]) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true })
  }
  return dir
}

/**
 * `next dev` on a free 127.0.0.1 port; resolves once `/api/health` answers. On 2 cores the first
 * compile of a route takes 10–60 s, hence the long default wait.
 */
export async function startNextDev(dir: string, env: Record<string, string | undefined> = {}, timeoutMs = 240_000): Promise<NextServer> {
  const port = await freePort()
  let out = ''
  const child = spawn(process.execPath, [NEXT_BIN, 'dev', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: dir,
    env: cleanEnv({ OBS_DIST_DIR: DEV_DIST_DIR, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const url = `http://127.0.0.1:${port}`
  const server: NextServer = { url, port, output: () => out, stop: () => stop(child) }
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next dev exited early (${child.exitCode}):\n${out}`)
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(60_000) })
      if (res.status === 200) return server
    } catch {
      // compiling or not listening yet
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  await server.stop()
  throw new Error(`next dev did not answer within ${timeoutMs} ms:\n${out}`)
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve()
    const pid = child.pid
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }, 5_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    try {
      process.kill(-pid, 'SIGTERM')
    } catch {
      clearTimeout(timer)
      resolve()
    }
  })
}
