import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import { posthogStaticName, readPosthogStatic, remoteConfigRequest } from '@/lib/observability/server/local/ingest'

const dist = dirname(createRequire(import.meta.url).resolve('posthog-js'))

describe('local mode serves posthog-js’s lazy scripts, and nothing else', () => {
  it('accepts the paths posthog-js asks for', () => {
    expect(posthogStaticName('/static/lazy-recorder.js')).toBe('lazy-recorder.js')
    expect(posthogStaticName('/static/1.449.2/surveys.js')).toBe('surveys.js')
    expect(posthogStaticName('/static/array.js.map')).toBe('array.js.map')
    expect(readPosthogStatic('lazy-recorder.js', dist)?.length).toBeGreaterThan(1000)
    expect(remoteConfigRequest('/array/phc_x/config.js')).toEqual({ token: 'phc_x', script: true })
    expect(remoteConfigRequest('/array/phc_x/config')).toEqual({ token: 'phc_x', script: false })
  })

  it('refuses traversal, other folders, other file types and files that do not exist', () => {
    for (const path of [
      '/static/../package.json',
      '/static/..%2F..%2Fpackage.json',
      '/static/a/b/c.js',
      '/static/.hidden.js',
      '/static/main.d.ts',
      '/static/',
      '/other/array.js',
    ]) {
      expect(posthogStaticName(path), path).toBeUndefined()
    }
    expect(readPosthogStatic('../package.json', dist)).toBeNull()
    expect(readPosthogStatic('..', dist)).toBeNull()
    expect(readPosthogStatic('no-such-file.js', dist)).toBeNull()
  })
})
