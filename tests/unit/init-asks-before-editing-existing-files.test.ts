import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { copyFixture, init, readTree } from './init-fixture-tree'

const BIN = fileURLToPath(new URL('../../lib/observability/cli/bin', import.meta.url))

/** The real bin, as `npx tsx lib/observability/cli/bin.ts` runs it, with stdin not a terminal. */
function bin(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', BIN, ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input: '' })
  return { code: result.status, output: `${result.stdout}${result.stderr}` }
}

describe('init never edits an existing file without asking', () => {
  it('refuses, rather than hang, when it cannot ask (no terminal) and --yes is absent', () => {
    const app = copyFixture('next15-typescript')
    const before = readTree(app)
    const { code, output } = bin(['init', '--cwd', app])
    expect(code, output).toBe(1)
    expect(output).toContain('init would edit 3 existing files (next.config.ts, app/layout.tsx, .gitignore) and cannot ask you here (no terminal).')
    expect(output).toContain('--dry-run')
    expect(readTree(app)).toEqual(before)
  })

  it('with --yes the bin wires the app and exits 0', () => {
    const app = copyFixture('next15-typescript')
    const { code, output } = bin(['init', '--yes', '--cwd', app])
    expect(code, output).toBe(0)
    expect(readTree(app)['middleware.ts']).toContain('export const middleware = withObservability()')
  })

  it('rejects unknown commands and options with the usage', () => {
    expect(bin(['setup']).code).toBe(1)
    const unknown = bin(['init', '--force'])
    expect(unknown.code).toBe(1)
    expect(unknown.output).toContain('Usage: nextjs-observability-kit init [options]')
  })

  it('shows the diff of each edit and writes nothing when the answer is no', async () => {
    const app = copyFixture('existing-middleware-redirect')
    const before = readTree(app)
    const questions: string[] = []
    const { code, output } = await init(app, {
      interactive: true,
      confirm: async (question) => {
        questions.push(question)
        return false
      },
    })
    expect(code).toBe(1)
    expect(questions).toEqual(['Edit next.config.ts, middleware.ts, app/layout.tsx, .gitignore as shown above (and create the other files)?'])
    expect(output).toContain('--- a/middleware.ts\n+++ b/middleware.ts')
    expect(output).toContain('Nothing was written.')
    expect(readTree(app)).toEqual(before)
  })

  it('writes everything once the answer is yes', async () => {
    const app = copyFixture('existing-middleware-redirect')
    const { code } = await init(app, { interactive: true, confirm: async () => true })
    expect(code).toBe(0)
    expect(readTree(app)['middleware.ts']).toContain('withObservability(function middleware(req: NextRequest)')
  })
})
