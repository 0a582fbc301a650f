import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LOCAL_FLAGS_FILE, readLocalFlags } from '@/lib/observability/server/local/local-flags'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ox-flags-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
  vi.restoreAllMocks()
})

const write = (text: string, mtime: number) => {
  const file = join(dir, LOCAL_FLAGS_FILE)
  writeFileSync(file, text)
  utimesSync(file, mtime, mtime)
}

describe('local mode’s flags come from observability.flags.json', () => {
  it('no file: no flags', async () => {
    expect(await readLocalFlags(dir)).toEqual({})
  })

  it('reads booleans and variants, and rereads the file when it changes', async () => {
    write('{"demo-flag": true, "pricing": "variant-b", "off": false}', 1_000)
    expect(await readLocalFlags(dir)).toEqual({ 'demo-flag': true, pricing: 'variant-b', off: false })
    write('{"demo-flag": false}', 2_000)
    expect(await readLocalFlags(dir)).toEqual({ 'demo-flag': false })
  })

  it('a malformed file: one warning, no flags', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    write('{"demo-flag": tru', 3_000)
    expect(await readLocalFlags(dir)).toEqual({})
    expect(await readLocalFlags(dir)).toEqual({})
    write('{"demo-flag": {"nested": 1}}', 4_000)
    expect(await readLocalFlags(dir)).toEqual({})
    expect(warn).toHaveBeenCalledTimes(2)
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/observability\.flags\.json is ignored/)
    expect(String(warn.mock.calls[1]?.[0])).toMatch(/"demo-flag" is neither true\/false nor a variant name/)
  })
})
