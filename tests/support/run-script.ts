import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './next-server'

/**
 * Runs a TypeScript script as `npm run demo:script` runs the demo: the same `node` command and
 * flags, read from package.json, so the tests exercise the command users run. The environment is
 * only what the test passes (plus `scriptEnv()`): no key leaks in from the shell.
 */

/** PATH and HOME, and NODE_ENV as a deployed job has it (under `development` the kit would use local mode). */
export function scriptEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production' }
}

export interface ScriptRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** `performance.now()` when the process exited. */
  readonly exitedAt: number
  /** `performance.now()` when the first stdout line containing `text` arrived. */
  lineAt(text: string): number
  /** Milliseconds from the first stdout line containing `text` to the exit. */
  exitAfter(text: string): number
}

export interface RunScriptOptions {
  readonly env?: Readonly<Record<string, string>>
  /** Called for each stdout line as it arrives, with the child (to signal it). */
  readonly onLine?: (line: string, child: ChildProcess) => void
  readonly timeoutMs?: number
}

/** `node --conditions=react-server --import tsx` (whatever package.json's `demo:script` uses), without its script. */
export function scriptCommand(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  const words = pkg.scripts['demo:script']!.split(/\s+/)
  return words.slice(0, -1)
}

export function runScript(script: string, args: readonly string[] = [], options: RunScriptOptions = {}): Promise<ScriptRun> {
  const [node, ...flags] = scriptCommand()
  const env: NodeJS.ProcessEnv = { ...scriptEnv(), ...options.env }
  return new Promise((resolve, reject) => {
    const child = spawn(node!, [...flags, script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const lines: { text: string; at: number }[] = []
    let stdout = ''
    let stderr = ''
    let partial = ''
    let exited: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${script} ${args.join(' ')} did not exit within ${options.timeoutMs ?? 30_000} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`))
    }, options.timeoutMs ?? 30_000)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const at = performance.now()
      stdout += chunk
      const parts = (partial + chunk).split('\n')
      partial = parts.pop() ?? ''
      for (const text of parts) {
        lines.push({ text, at })
        options.onLine?.(text, child)
      }
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk))
    child.on('error', reject)
    child.on('exit', (code, signal) => void (exited = { code, signal, at: performance.now() }))
    child.on('close', () => {
      clearTimeout(timer)
      const end = exited ?? { code: child.exitCode, signal: child.signalCode, at: performance.now() }
      const lineAt = (text: string) => {
        const line = lines.find((l) => l.text.includes(text))
        if (!line) throw new Error(`${script} printed no line with "${text}"\nstdout:\n${stdout}\nstderr:\n${stderr}`)
        return line.at
      }
      resolve({ code: end.code, signal: end.signal, stdout, stderr, exitedAt: end.at, lineAt, exitAfter: (text) => end.at - lineAt(text) })
    })
  })
}
