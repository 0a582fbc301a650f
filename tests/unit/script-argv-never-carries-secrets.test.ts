import { describe, expect, it } from 'vitest'
import { FILTERED } from '@/lib/observability/shared/scrub'
import { scriptCommandLine, scrubArgv } from '@/lib/observability/server/script-argv'

describe("a script's reported command line never carries its secrets", () => {
  it.each([
    [['--token=abc123'], ['--token=[Filtered]']],
    [
      ['--password', 'hunter2'],
      ['--password', FILTERED],
    ],
    [
      ['--api-key', 'k-123'],
      ['--api-key', FILTERED],
    ],
    [['--apiKey=k-123'], ['--apiKey=[Filtered]']],
    [['--db-password=x=y'], ['--db-password=[Filtered]']],
    [
      ['--client_secret', '-starts-with-a-dash'],
      ['--client_secret', FILTERED],
    ],
    [['-token=abc'], ['-token=[Filtered]']],
  ])('the value of a sensitive flag: %j', (argv, expected) => {
    expect(scrubArgv(argv)).toEqual(expected)
  })

  it("secrets inside other arguments go through the kit's scrubber", () => {
    expect(
      scrubArgv([
        'postgres://app:pw-123@db.internal:5432/app',
        '--url=https://u:p4ss@x.dev/p?token=t0k',
        'PGPASSWORD=s3cret',
        'Authorization: Bearer abcdefgh123',
      ]),
    ).toEqual([
      `postgres://app:${FILTERED}@db.internal:5432/app`,
      `--url=https://u:${FILTERED}@x.dev/p?token=${FILTERED}`,
      `PGPASSWORD=${FILTERED}`,
      `Authorization: Bearer ${FILTERED}`,
    ])
  })

  it('keeps everything else as it was, flags and positional arguments alike', () => {
    const argv = ['scripts/backfill.ts', '--dry-run', '--batch-size', '500', '--since=2026-01-01', 'users', '--', '-v']
    expect(scrubArgv(argv)).toEqual(argv)
  })

  it('a sensitive flag followed by another flag hides nothing of that flag', () => {
    expect(scrubArgv(['--token', '--dry-run', 'users'])).toEqual(['--token', '--dry-run', 'users'])
  })

  it('is bounded: at most 50 arguments of 500 characters', () => {
    const out = scrubArgv([...Array.from({ length: 60 }, (_, i) => `arg${i}`)])
    expect(out).toHaveLength(51)
    expect(out.at(-1)).toBe('…[10 more arguments]')
    const [long] = scrubArgv(['x'.repeat(2_000)])
    expect(long!.length).toBeLessThan(600)
    expect(long).toMatch(/…\[truncated 1500 chars\]$/)
  })

  it("reads the script's path relative to the working directory, without the Node binary", () => {
    expect(scriptCommandLine(['/usr/bin/node', '/app/scripts/seed.ts', '--fail'], '/app')).toEqual(['scripts/seed.ts', '--fail'])
    expect(scriptCommandLine(['/usr/bin/node', '/elsewhere/seed.ts'], '/app')).toEqual(['/elsewhere/seed.ts'])
    expect(scriptCommandLine(['/usr/bin/node'], '/app')).toEqual([])
  })
})
