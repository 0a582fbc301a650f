import { describe, expect, it } from 'vitest'
import { routePattern } from '@/lib/observability/server/route-pattern'

describe('endpoint is the route pattern, not the raw URL', () => {
  it.each([
    ['/api/items/42', { id: '42' }, '/api/items/[id]'],
    ['/api/items/items', { id: 'items' }, '/api/items/[id]'],
    ['/api/users/7/posts/9', { user: '7', post: '9' }, '/api/users/[user]/posts/[post]'],
    ['/docs/a/b/c', { slug: ['a', 'b', 'c'] }, '/docs/[...slug]'],
    ['/api/files/hello%20world', { name: 'hello world' }, '/api/files/[name]'],
    ['/api/ping', {}, '/api/ping'],
    ['/api/ping', undefined, '/api/ping'],
  ])('%s with %j → %s', (path, params, expected) => {
    expect(routePattern(path, params)).toBe(expected)
  })
})
