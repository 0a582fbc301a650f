import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { copyFixture, FIXTURES, init, readTree, WIRED_CASES } from './init-fixture-tree'

describe('init --dry-run prints a unified diff of every change and writes nothing', () => {
  it.each(WIRED_CASES)('%s', async (name) => {
    const app = copyFixture(name)
    const before = readTree(app)
    const { code, output } = await init(app, { dryRun: true })
    expect(code, output).toBe(0)
    expect(readTree(app)).toEqual(before)
    expect(output).toContain('Dry run: nothing was written.')

    const expected = readTree(join(FIXTURES, name, 'expected'))
    for (const [path, content] of Object.entries(expected)) {
      const header = `${before[path] === undefined ? '--- /dev/null' : `--- a/${path}`}\n+++ b/${path}\n`
      if (before[path] === content) expect(output).not.toContain(`+++ b/${path}\n`)
      else expect(output).toContain(header)
    }
    // The diff carries the actual lines: each added line of the expected result appears as `+line`.
    const layout = Object.keys(expected).find((path) => /app\/layout\.[jt]sx?$/.test(path))!
    expect(output).toContain('+        <ObservabilityProvider user={null} />')
    expect(output).toContain(`+++ b/${layout}`)
  })
})
