import { describe, expect, it } from 'vitest'
import { AI_EVENT_BYTE_BUDGET, fitPayloads, jsonBytes, limitPayload, POSTHOG_MAX_EVENT_BYTES, utf8Bytes } from '@/lib/observability/server/llm/llm-payload'

/**
 * Prompts and completions are cut at POSTHOG_LLM_PAYLOAD_MAX_CHARS with a visible marker, and the
 * event never outgrows PostHog's per-event byte limit, whatever the script the text is in.
 */

const CJK = '漢' // 1 UTF-16 unit, 3 bytes of UTF-8
const EMOJI = '🦄' // 2 UTF-16 units, 4 bytes of UTF-8

describe('limitPayload cuts text at the character budget and says so', () => {
  it('cuts one long message with the truncation marker and the exact count', () => {
    const out = limitPayload([{ role: 'user', content: 'x'.repeat(50) }], 10)
    expect(out).toEqual([{ role: 'user', content: `${'x'.repeat(10)}…[truncated 40 chars]` }])
  })

  it('shares the budget across messages and content parts, keeping their structure', () => {
    const out = limitPayload(
      [
        { role: 'system', content: 'a'.repeat(6) },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'b'.repeat(6) },
            { type: 'text', text: 'c'.repeat(6) },
          ],
        },
      ],
      10,
    )
    expect(out).toEqual([
      { role: 'system', content: 'aaaaaa' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'bbbb…[truncated 2 chars]' },
          { type: 'text', text: '…[truncated 6 chars]' },
        ],
      },
    ])
  })

  it('leaves short payloads untouched', () => {
    const messages = [{ role: 'user', content: 'hello', name: 'ada' }]
    expect(limitPayload(messages, 30_000)).toEqual(messages)
  })

  it('replaces inline base64 media instead of spending the budget on it', () => {
    const image = `data:image/png;base64,${'A'.repeat(100_000)}`
    expect(limitPayload([{ type: 'image_url', image_url: { url: image } }], 30_000)).toEqual([
      { type: 'image_url', image_url: { url: '[base64 image/png redacted]' } },
    ])
  })

  it('never splits a surrogate pair', () => {
    const out = limitPayload(EMOJI.repeat(10), 3) as string
    expect(out.startsWith(EMOJI)).toBe(true)
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/)
  })

  it('survives cycles, functions and bigints', () => {
    const o: Record<string, unknown> = { role: 'user', content: 'x', fn: () => 1, n: 10n }
    o.self = o
    expect(limitPayload(o, 100)).toEqual({ role: 'user', content: 'x', n: '10', self: '[Circular]' })
  })
})

describe('utf8Bytes counts what goes on the wire', () => {
  it.each([
    ['ascii', 'abc', 3],
    ['latin', 'é', 2],
    ['cjk', CJK, 3],
    ['emoji', EMOJI, 4],
    ['lone surrogate', '\ud800', 3],
  ])('%s', (_l, s, bytes) => {
    expect(utf8Bytes(s)).toBe(bytes)
    expect(utf8Bytes(s)).toBe(new TextEncoder().encode(s).length)
  })
})

describe('fitPayloads keeps the whole event under PostHog’s per-event limit', () => {
  const base = { $ai_trace_id: 'req-1', $ai_model: 'gpt-4o-mini', environment: 'production' }

  it('applies the character cut when it is enough', () => {
    const out = fitPayloads(base, { $ai_input: [{ role: 'user', content: 'x'.repeat(100) }] }, 10)
    expect(out.$ai_input).toEqual([{ role: 'user', content: `${'x'.repeat(10)}…[truncated 90 chars]` }])
  })

  it('keeps 200,000 ASCII characters in and out whole at the maximum setting: they fit', () => {
    const text = 'a'.repeat(200_000)
    const out = fitPayloads(base, { $ai_input: [{ role: 'user', content: text }], $ai_output_choices: [{ role: 'assistant', content: text }] }, 200_000)
    expect((out.$ai_input as { content: string }[])[0]!.content).toBe(text)
    expect(jsonBytes(out)).toBeLessThanOrEqual(AI_EVENT_BYTE_BUDGET)
  })

  it('cuts 200,000 emoji (400,000 UTF-16 units, 800 KB) at the character limit, which then fits', () => {
    const text = EMOJI.repeat(200_000)
    const out = fitPayloads(base, { $ai_input: [{ role: 'user', content: text }], $ai_output_choices: [{ role: 'assistant', content: text }] }, 200_000)
    const input = (out.$ai_input as { content: string }[])[0]!.content
    expect(input).toBe(`${EMOJI.repeat(100_000)}…[truncated 200000 chars]`)
    expect(jsonBytes(out)).toBeLessThanOrEqual(AI_EVENT_BYTE_BUDGET)
  })

  it.each([
    ['CJK (3 bytes a character)', CJK],
    ['control characters (6 bytes once JSON-escaped)', '\u0001'],
  ])('cuts further by bytes for 200,000 characters of %s in and out at the maximum setting', (_l, unit) => {
    const text = unit.repeat(200_000 / unit.length)
    // Cut at the character limit only, this event would be 1.2 to 2.4 MB: PostHog would drop it whole.
    expect(jsonBytes({ ...base, $ai_input: text, $ai_output_choices: text })).toBeGreaterThan(POSTHOG_MAX_EVENT_BYTES)
    const out = fitPayloads(base, { $ai_input: [{ role: 'user', content: text }], $ai_output_choices: [{ role: 'assistant', content: text }] }, 200_000)
    const bytes = jsonBytes(out)
    expect(bytes).toBeLessThanOrEqual(AI_EVENT_BYTE_BUDGET)
    expect(bytes).toBeLessThan(POSTHOG_MAX_EVENT_BYTES)
    expect(out).toMatchObject(base)
    const input = (out.$ai_input as { content: string }[])[0]!.content
    const output = (out.$ai_output_choices as { content: string }[])[0]!.content
    expect(input).toMatch(/…\[truncated \d+ chars\]$/)
    expect(output).toMatch(/…\[truncated \d+ chars\]$/)
    // It keeps as much as fits, not a token amount: over a third of the budget for each payload.
    expect(jsonBytes(input)).toBeGreaterThan(AI_EVENT_BYTE_BUDGET / 3)
  })

  it('replaces the payloads with a note when nothing could fit', () => {
    const huge = { ...base, blob: 'x'.repeat(AI_EVENT_BYTE_BUDGET) }
    const out = fitPayloads(huge, { $ai_input: 'hello' }, 30_000)
    expect(out.$ai_input).toMatch(/^\[omitted: over the \d+ byte event budget\]$/)
  })
})
