import { spawn } from 'node:child_process'

export interface CommandResult {
  readonly code: number | null
  /** stdout and stderr, interleaved as they arrived. */
  readonly output: string
  readonly ms: number
}

/** The environment of a clean machine: nothing of the kit's switches leaks in from the parent. */
export function machineEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = {} as NodeJS.ProcessEnv
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TERM', 'npm_config_cache']) if (process.env[k]) env[k] = process.env[k]
  env.NEXT_TELEMETRY_DISABLED = '1'
  env.npm_config_update_notifier = 'false'
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v
  return env
}

/** Runs a command to its end; never rejects (the caller asserts on the code and output). */
export function runCommand(
  cmd: string,
  args: readonly string[],
  cwd: string,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const started = performance.now()
  return new Promise((resolve) => {
    let output = ''
    const child = spawn(cmd, args, { cwd, env: options.env ?? machineEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      resolve({ code: -1, output: `${output}\n${String(error)}`, ms: performance.now() - started })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output, ms: performance.now() - started })
    })
  })
}

/** Runs a command that must succeed: its output is in the error otherwise. */
export async function mustRun(
  cmd: string,
  args: readonly string[],
  cwd: string,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const result = await runCommand(cmd, args, cwd, options)
  if (result.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${result.code}) in ${cwd}:\n${tail(result.output)}`)
  return result
}

/** The last lines of a long output, for error messages. */
export function tail(text: string, lines = 80): string {
  return text.split('\n').slice(-lines).join('\n')
}
