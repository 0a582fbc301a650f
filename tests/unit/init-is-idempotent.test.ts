import { describe, expect, it } from 'vitest'
import { copyFixture, init, readTree, WIRED_CASES } from './init-fixture-tree'

describe('a second init changes nothing and says so', () => {
  it.each(WIRED_CASES)('%s', async (name) => {
    const app = copyFixture(name)
    expect((await init(app, { yes: true })).code).toBe(0)
    const wired = readTree(app)

    // Without --yes and without a terminal: nothing to ask, since nothing would be edited.
    const again = await init(app)
    expect(again.code, again.output).toBe(0)
    expect(again.output).toContain('Already set up: nothing to change.')
    expect(again.output).not.toMatch(/\b(created|edited)\b/)
    expect(readTree(app)).toEqual(wired)

    const dry = await init(app, { dryRun: true })
    expect(dry.code).toBe(0)
    expect(dry.output).not.toContain('+++ ')
    expect(readTree(app)).toEqual(wired)
  })

  it('still prints the install command until the package is in package.json', async () => {
    const app = copyFixture('next15-typescript')
    await init(app, { yes: true })
    expect((await init(app)).output).toMatch(/Next: npm install nextjs-observability-kit$/)
  })
})
