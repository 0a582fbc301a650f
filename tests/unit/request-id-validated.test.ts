import { describe, expect, it } from 'vitest'
import { isValidRequestId, resolveRequestId } from '@/lib/observability/shared/request-id'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('a valid incoming X-Request-ID is kept, anything else replaced by a fresh UUID', () => {
  it.each(['abc', 'a'.repeat(128), 'Root-1-67890:abc.def_ghi-jkl', '0'])('keeps %s', (id) => {
    expect(resolveRequestId(id)).toBe(id)
  })

  it.each([
    ['empty', ''],
    ['spaces', 'abc def'],
    ['300 chars', 'a'.repeat(300)],
    ['129 chars', 'a'.repeat(129)],
    ['markup', '<script>alert(1)</script>'],
    ['newline', 'abc\ndef'],
    ['unicode', 'ïd'],
    ['null', null],
    ['undefined', undefined],
  ])('replaces %s', (_label, id) => {
    const resolved = resolveRequestId(id as string | null | undefined)
    expect(resolved).toMatch(UUID)
    expect(isValidRequestId(resolved)).toBe(true)
  })

  it('mints a different id each time', () => {
    expect(resolveRequestId(null)).not.toBe(resolveRequestId(null))
  })
})
