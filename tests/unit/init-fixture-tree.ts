import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterEach } from 'vitest'
import { runInit, type InitOptions } from '@/lib/observability/cli/init'

/**
 * Fixture pairs for `init`: `tests/fixtures/init/<case>/input` is an app as its author left it,
 * `expected` the same app after `init --yes`. Each test copies `input` to a temporary directory
 * outside this repository (so Node's resolution cannot find this repo's own `next`).
 */
export const FIXTURES = fileURLToPath(new URL('../fixtures/init/', import.meta.url))

/** The fixture cases `init` wires (they have an `expected` tree). */
export const WIRED_CASES = [
  'next16-src-typescript',
  'next15-typescript',
  'javascript-mjs-jsx',
  'existing-middleware-redirect',
  'existing-instrumentation',
  'commonjs-next-config',
  'sentry-wrapped-config',
] as const

const temporary: string[] = []
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A fresh copy of a fixture's input tree; removed after the test. */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `init-${name}-`))
  temporary.push(dir)
  cpSync(join(FIXTURES, name, 'input'), dir, { recursive: true })
  return dir
}

/** Every file under `dir`, by posix path relative to it, with its content. */
export function readTree(dir: string): Record<string, string> {
  const tree: Record<string, string> = {}
  const visit = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name)
      if (entry.isDirectory()) visit(path)
      else tree[relative(dir, path).split(sep).join('/')] = readFileSync(path, 'utf8')
    }
  }
  visit(dir)
  return tree
}

/** Runs `init` in-process, as the bin would, and collects what it printed. */
export async function init(cwd: string, options: Partial<InitOptions> = {}): Promise<{ code: number; output: string }> {
  const lines: string[] = []
  const code = await runInit({ cwd, interactive: false, print: (text) => lines.push(text), ...options })
  return { code, output: lines.join('\n') }
}

/** TypeScript's syntax errors in one file (its parser, as `tsc` would report them), as text. */
export function syntaxErrors(path: string, content: string): string[] {
  const kind = path.endsWith('x') ? ts.ScriptKind.TSX : path.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JSX
  const file = ts.createSourceFile(path, content, ts.ScriptTarget.Latest, true, kind)
  const diagnostics = (file as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics
  return diagnostics.map((d) => `${path}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
}

/**
 * Runs a generated module for real: TypeScript compiles it to CommonJS and each import resolves
 * from `modules` (e.g. the package name → this repository's own kit modules).
 */
export function evaluateModule(code: string, modules: Record<string, unknown>): Record<string, unknown> {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, jsx: ts.JsxEmit.ReactJSX, esModuleInterop: true },
  }).outputText
  const cjsModule = { exports: {} as Record<string, unknown> }
  const load = (id: string) => {
    if (!(id in modules)) throw new Error(`evaluateModule: no module ${id}`)
    return modules[id]
  }
  new Function('require', 'module', 'exports', js)(load, cjsModule, cjsModule.exports)
  return cjsModule.exports
}
