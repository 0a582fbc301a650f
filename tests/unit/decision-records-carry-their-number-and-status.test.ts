import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Each decision record in docs/decisions/ is titled with its own file's number, so that "decision
 * 010" means one thing everywhere, and says under its title whether it still holds.
 */

const dir = resolve(__dirname, '../../docs/decisions')
const records = readdirSync(dir).filter((name) => name.endsWith('.md'))

describe('decision records carry their number and a status', () => {
  it('finds the records, numbered from 001 without gaps or repeats', () => {
    const numbers = records.map((name) => /^(\d{3})-[a-z0-9-]+\.md$/.exec(name)?.[1])
    expect(numbers.every(Boolean), records.join(', ')).toBe(true)
    expect(numbers).toEqual(numbers.map((_, i) => String(i + 1).padStart(3, '0')))
  })

  it.each(records)('%s', (name) => {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n')
    expect(lines[0]).toMatch(new RegExp(`^# ${name.slice(0, 3)} — \\S`))
    const status = lines.slice(1, 4).find((line) => line.startsWith('Status: '))
    expect(status, 'a "Status: …" line right under the title').toMatch(/^Status: (Accepted|Superseded|Superseded in part|Deprecated|Proposed)\b/)
  })
})
