import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDeflate, gzipSync } from 'node:zlib'
import { decompressFromBase64 } from 'lz-string'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_DECODED_BYTES, MAX_LZ64_CHARS, decompressLz64 } from '@/lib/observability/server/local/ingest'
import { LOCAL_POSTHOG_KEY } from '@/lib/observability/shared/config'
import { resetObservability } from 'nextjs-observability-kit/testing'
import { posthogBatch, request, routes, storedText, useLocalMode, waitForStored } from '../support/local-routes'

/**
 * A few hundred KB that inflate to a GiB must cost the server no more than the decompression
 * bound, whichever layer carries them: Content-Encoding, gzip by magic bytes, lz-string, Sentry's
 * replay recording, or posthog-js's per-event replay fields (many small bombs, one budget). Each is
 * refused with 413 and nothing of its request is stored.
 *
 * Memory is the process's RSS, sampled every millisecond by a worker thread while the request
 * runs (the decoders are synchronous, so the test's own thread cannot look), minus the RSS just
 * before it.
 */

const MiB = 1024 * 1024
/** What the bound may cost on top of itself: zlib's last chunk, the body, the test's own allocations. */
const SLACK = 48 * MiB
const BOMB = 1024 * MiB

let dir: string
const saved = { ...process.env }

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ox-bomb-'))
  useLocalMode(dir)
})
afterAll(async () => {
  await sampler.terminate()
  process.env = { ...saved }
  resetObservability()
  rmSync(dir, { recursive: true, force: true })
})

/** `prefix` then `total` bytes of `fill`, gzipped as concatenated members: one 16 MiB member, repeated. */
function gzipBomb(total: number, prefix: string, fill = 'a'): Buffer {
  const chunk = 16 * MiB
  const member = gzipSync(Buffer.alloc(chunk, fill))
  return Buffer.concat([gzipSync(prefix), ...Array.from({ length: Math.ceil(total / chunk) }, () => member)])
}

/** The same as one zlib (RFC 1950) stream, as Sentry's replay worker compresses, streamed so the GiB never exists. */
async function zlibBomb(total: number, prefix: string, fill = ' '): Promise<Buffer> {
  const deflate = createDeflate()
  const out: Buffer[] = []
  deflate.on('data', (b: Buffer) => out.push(b))
  const done = new Promise((resolve) => deflate.on('end', resolve))
  const chunk = Buffer.alloc(16 * MiB, fill)
  deflate.write(prefix)
  for (let sent = 0; sent < total; sent += chunk.length) if (!deflate.write(chunk)) await new Promise((r) => deflate.once('drain', r))
  deflate.end()
  await done
  return Buffer.concat(out)
}

/** A worker thread that samples the process's RSS and answers with the highest since it was last asked. */
const sampler = new Worker(
  `const { parentPort } = require('node:worker_threads')
  let peak = 0
  const sample = () => { peak = Math.max(peak, process.memoryUsage.rss()) }
  setInterval(sample, 1)
  parentPort.on('message', () => { sample(); parentPort.postMessage(peak); peak = 0 })`,
  { eval: true },
)
const readPeak = () => new Promise<number>((resolve) => (sampler.once('message', resolve), sampler.postMessage('peak')))

/** Runs `send` and returns its response with the most the process's RSS rose above its level before. */
async function peakGrowth(send: () => Promise<Response>): Promise<{ res: Response; body: string; growth: number }> {
  await readPeak()
  const before = process.memoryUsage.rss()
  const res = await send()
  const body = await res.text()
  return { res, body, growth: (await readPeak()) - before }
}

const same = { headers: { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' } }
const post = (body: string | Uint8Array, headers: Record<string, string> = {}) => ({
  method: 'POST',
  body: typeof body === 'string' ? body : new Uint8Array(body),
  headers: { 'content-type': 'text/plain', ...headers },
})
const mb = (n: number) => `${(n / MiB).toFixed(1)} MiB`

/** An lz-string stream whose every code repeats the last phrase plus one character: output grows with the square of its length. */
function lzBomb(chars: number): { text: string; length: number } {
  const bits: number[] = []
  const put = (value: number, n: number) => {
    for (let i = 0; i < n; i++, value >>= 1) bits.push(value & 1)
  }
  put(0, 2)
  put(0x61, 8)
  let [next, width, untilWider, codes] = [4, 3, 4, 0]
  while ((bits.length + 2 * width) / 6 < chars - 4) {
    put(next++, width)
    codes++
    if (--untilWider === 0) [untilWider, width] = [2 ** width, width + 1]
  }
  put(2, width)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  let text = ''
  for (let i = 0; i < bits.length; i += 6) text += alphabet[bits.slice(i, i + 6).reduce((v, b) => (v << 1) | b, 0) << Math.max(0, i + 6 - bits.length)]
  return { text: text.padEnd(Math.ceil(text.length / 4) * 4, '='), length: 1 + (codes * (codes + 3)) / 2 }
}

describe('decompression bombs are refused in bounded memory, and nothing of them is stored', () => {
  const figures: string[] = []
  afterAll(() => console.info(`peak RSS growth per bomb (bound ${mb(MAX_DECODED_BYTES)}):\n  ${figures.join('\n  ')}`))

  async function expectRefused(name: string, send: () => Promise<Response>, where: RegExp, status = 413) {
    const { res, body, growth } = await peakGrowth(send)
    figures.push(`${name}: ${mb(growth)}`)
    expect(res.status, name).toBe(status)
    expect(JSON.parse(body).error, name).toMatch(where)
    expect(growth, `${name} raised the peak RSS by ${mb(growth)}`).toBeLessThan(MAX_DECODED_BYTES + SLACK)
  }

  it('a gzip Content-Encoding body of 1 GiB', async () => {
    const body = gzipBomb(BOMB, posthogBatch('bomb-ce-marker').slice(0, -3))
    expect(body.length).toBeLessThan(2 * MiB)
    await expectRefused(
      'gzip Content-Encoding',
      () => routes.posthog(request('/_ox/p/e/', post(body, { 'content-encoding': 'gzip' }), same)),
      /once decompressed \(at the gzip body\)/,
    )
  })

  it('a gzip body recognised by its magic bytes, as posthog-js sends it', async () => {
    const body = gzipBomb(BOMB, '[{"event":"bomb-magic-marker","properties":{"distinct_id":"d","x":"')
    await expectRefused('gzip by magic bytes', () => routes.posthog(request('/_ox/p/batch/', post(body), same)), /once decompressed \(at the gzip body\)/)
  })

  it('a deflate Sentry replay recording', async () => {
    const recording = Buffer.concat([Buffer.from('{"segment_id":0}\n'), await zlibBomb(BOMB, '[')])
    expect(recording[17]).toBe(0x78)
    const envelope = Buffer.concat([
      Buffer.from(`${JSON.stringify({ event_id: 'b'.repeat(32), dsn: 'http://local@127.0.0.1:3000/_ox/s/1' })}\n`),
      Buffer.from(`${JSON.stringify({ type: 'replay_event' })}\n${JSON.stringify({ type: 'replay_event', replay_id: 'bomb-replay-marker', segment_id: 0 })}\n`),
      Buffer.from(`${JSON.stringify({ type: 'replay_recording', length: recording.length })}\n`),
      recording,
    ])
    expect(envelope.length).toBeLessThan(4 * MiB)
    await expectRefused(
      'deflate replay recording',
      () => routes.sentryTunnel(request('/_ox/s', post(envelope), same)),
      /once decompressed \(at the replay_recording data\)/,
    )
  })

  it('posthog-js per-event replay fields (cv 2024-10): many small bombs drawing on one budget', async () => {
    // 64 fields of 16 MiB each (blank space around an empty list: valid JSON that parses to
    // nothing): every one alone is under the bound, together they are 1 GiB.
    const field = gzipSync(Buffer.concat([Buffer.alloc(16 * MiB, 0x20), Buffer.from('[]')])).toString('latin1')
    const empty = gzipSync('[]').toString('latin1')
    const snapshot = Array.from({ length: 64 }, (_, i) => ({
      type: 3,
      timestamp: i,
      cv: '2024-10',
      data: { source: 0, texts: field, attributes: empty, removes: empty, adds: empty },
    }))
    const body = gzipSync(
      JSON.stringify({
        api_key: LOCAL_POSTHOG_KEY,
        batch: [
          { event: 'bomb-cv-sibling-marker', properties: { distinct_id: 'd' } },
          { event: '$snapshot', properties: { distinct_id: 'd', $session_id: 'bomb-cv-marker', $snapshot_data: snapshot } },
        ],
      }),
    )
    await expectRefused(
      'cv snapshot fields',
      () => routes.posthog(request('/_ox/p/s/', post(body), same)),
      /once decompressed \(at the \$snapshot_data\[\d+\]\.data\.texts\)/,
    )
  })

  it('an lz-string body longer than lz-string can be trusted with', async () => {
    const bomb = lzBomb(8 * MAX_LZ64_CHARS)
    expect(bomb.length).toBeGreaterThan(BOMB)
    const body = `data=${encodeURIComponent(bomb.text)}&compression=lz64`
    await expectRefused(
      'lz-string past its input bound',
      () => routes.posthog(request('/_ox/p/e/?compression=lz64', post(body, { 'content-type': 'application/x-www-form-urlencoded' }), same)),
      /lz64 body has \d+ characters; at most 16384 are decompressed/,
    )
  })

  it('the worst lz-string body within its input bound stays inside the decompression bound', async () => {
    const small = lzBomb(200)
    expect(decompressFromBase64(small.text)).toBe('a'.repeat(small.length))
    const bomb = lzBomb(MAX_LZ64_CHARS)
    expect(bomb.text.length).toBeLessThanOrEqual(MAX_LZ64_CHARS)
    expect(bomb.length).toBeLessThan(MAX_DECODED_BYTES / 2)
    // Decoded in full, then refused as what it is: not JSON.
    const body = `data=${encodeURIComponent(bomb.text)}&compression=lz64`
    await expectRefused(
      'lz-string at its input bound',
      () => routes.posthog(request('/_ox/p/e/', post(body, { 'content-type': 'application/x-www-form-urlencoded' }), same)),
      /not valid JSON/,
      400,
    )
    expect(decompressLz64(bomb.text).length).toBe(bomb.length)
  })

  it('stores nothing of any of them', async () => {
    const res = await routes.posthog(request('/_ox/p/e/', post(posthogBatch('after-the-bombs')), same))
    expect(res.status).toBe(200)
    await waitForStored(dir, 'after-the-bombs')
    expect(storedText(dir)).not.toMatch(/bomb-/)
  })
})
