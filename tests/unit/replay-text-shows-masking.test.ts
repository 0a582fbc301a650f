import { describe, expect, it } from 'vitest'
import { summarizeReplay } from '@/lib/observability/server/local/replay-text'

const text = (value: string) => ({ type: 3, textContent: value })
const element = (tagName: string, childNodes: unknown[] = [], attributes: Record<string, unknown> = {}) => ({ type: 2, tagName, attributes, childNodes })

describe('a replay’s text is printed as it left the browser, to check masking', () => {
  it('walks full snapshots, mutations and input events', () => {
    const snapshot = {
      type: 2,
      data: {
        node: {
          type: 0,
          childNodes: [
            element('html', [
              element('head', [element('style', [text('.secret { color: red }')]), element('script', [text('var token = 1')])]),
              element('body', [element('h1', [text('Debug: throw')]), element('pre', [text('****** *****')]), element('input', [], { value: '************' })]),
            ]),
          ],
        },
      },
    }
    const mutation = { type: 3, data: { source: 0, adds: [{ parentId: 1, node: text('added later') }], texts: [{ id: 3, value: '*****' }] } }
    const input = { type: 3, data: { source: 5, text: '****', isChecked: false } }
    const summary = summarizeReplay([{ type: 4, data: {} }, snapshot, mutation, input])
    expect(summary).toMatchObject({ events: 4, fullSnapshots: 1 })
    expect(summary.text.split('\n')).toEqual(['Debug: throw', '****** *****', '[input] ************', 'added later', '*****', '[typed] ****'])
  })

  it('survives anything: not an array, garbage nodes, deep nesting', () => {
    expect(summarizeReplay(undefined)).toEqual({ events: 0, fullSnapshots: 0, text: '' })
    expect(summarizeReplay([null, 1, 'x', { type: 2, data: { node: { type: 2, childNodes: 'no' } } }]).fullSnapshots).toBe(1)
    let deep: Record<string, unknown> = text('bottom')
    for (let i = 0; i < 5_000; i++) deep = element('div', [deep])
    expect(() => summarizeReplay([{ type: 2, data: { node: deep } }])).not.toThrow()
  })

  it('caps the text', () => {
    const many = Array.from({ length: 2_000 }, (_, i) => text(`line ${i} ${'x'.repeat(20)}`))
    expect(summarizeReplay([{ type: 2, data: { node: element('body', many) } }]).text.length).toBeLessThanOrEqual(4_000)
  })
})
