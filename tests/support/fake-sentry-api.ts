import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { unzipSync } from 'fflate'

/**
 * A local stand-in for the part of Sentry's web API that source-map uploads use (Sentry's CLI,
 * `@sentry/bundler-plugins`): the chunk-upload options, chunk uploads (multipart, gzip per chunk),
 * artifact bundle assembly, and release creation and finalisation. Assembled bundles are unzipped
 * so tests can read what arrived: each file's URL, type and debug id, for the release named.
 * Anything else is recorded and answered 404.
 */

export interface RecordedApiRequest {
  readonly method: string
  readonly path: string
  readonly body: Buffer
  readonly headers: Record<string, string | string[] | undefined>
}

export interface BundleFile {
  /** Path inside the bundle. */
  readonly path: string
  /** `~/_next/static/chunks/…js` as the CLI names it. */
  readonly url: string
  /** `minified_source` or `source_map`. */
  readonly type: string
  readonly debugId?: string
  readonly content: Buffer
}

export interface AssembledBundle {
  readonly org: string
  readonly projects: readonly string[]
  /** The release the upload named (`version`), if any. */
  readonly release?: string
  readonly dist?: string
  readonly files: readonly BundleFile[]
}

export interface FakeSentryApi {
  /** `http://127.0.0.1:<port>`, for `SENTRY_URL`. */
  readonly url: string
  requests(): RecordedApiRequest[]
  bundles(): AssembledBundle[]
  /** Release versions created (POST …/releases/). */
  releases(): string[]
  close(): Promise<void>
}

const CHUNK_SIZE = 8 * 1024 * 1024

export async function startFakeSentryApi(): Promise<FakeSentryApi> {
  const requests: RecordedApiRequest[] = []
  const chunks = new Map<string, Buffer>()
  const bundles: AssembledBundle[] = []
  const releases: string[] = []
  let origin = ''

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const body = await read(req)
    const path = new URL(req.url ?? '/', 'http://x').pathname
    requests.push({ method: req.method ?? 'GET', path, body, headers: req.headers })
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(value))
    }
    let m: RegExpExecArray | null
    if ((m = /^\/api\/0\/organizations\/([^/]+)\/chunk-upload\/?$/.exec(path))) {
      if (req.method === 'GET') {
        return json(200, {
          url: `${origin}/api/0/organizations/${m[1]}/chunk-upload/`,
          chunkSize: CHUNK_SIZE,
          chunksPerRequest: 64,
          maxFileSize: 2 ** 31,
          maxRequestSize: 32 * 1024 * 1024,
          concurrency: 4,
          hashAlgorithm: 'sha1',
          compression: ['gzip'],
          accept: [
            'debug_files',
            'release_files',
            'pdbs',
            'sources',
            'bcsymbolmaps',
            'il2cpp',
            'portablepdbs',
            'artifact_bundles',
            'artifact_bundles_v2',
            'proguard',
          ],
        })
      }
      for (const part of multipartFiles(body, String(req.headers['content-type'] ?? ''))) {
        const data = isGzip(part.data) ? gunzipSync(part.data) : part.data
        chunks.set(createHash('sha1').update(data).digest('hex'), data)
      }
      return json(200, {})
    }
    if ((m = /^\/api\/0\/organizations\/([^/]+)\/artifactbundle\/assemble\/?$/.exec(path))) {
      const request = JSON.parse(body.toString('utf8') || '{}') as { checksum: string; chunks: string[]; projects?: string[]; version?: string; dist?: string }
      const missing = request.chunks.filter((c) => !chunks.has(c))
      if (missing.length) return json(200, { state: 'not_found', missingChunks: missing })
      const zip = Buffer.concat(request.chunks.map((c) => chunks.get(c)!))
      if (!bundles.some((b) => (b as { checksum?: string }).checksum === request.checksum)) {
        bundles.push(Object.assign(readBundle(zip, m[1]!, request.projects ?? [], request.version, request.dist), { checksum: request.checksum }))
      }
      return json(200, { state: 'ok', missingChunks: [] })
    }
    if ((m = /^\/api\/0\/organizations\/([^/]+)\/?$/.exec(path)) && req.method === 'GET') {
      // The CLI asks for the organization's region first; it is this server.
      return json(200, { id: '1', slug: m[1], name: m[1], links: { organizationUrl: origin, regionUrl: origin } })
    }
    if ((m = /^\/api\/0\/organizations\/([^/]+)\/releases\/?$/.exec(path)) && req.method === 'POST') {
      const version = (JSON.parse(body.toString('utf8') || '{}') as { version?: string }).version ?? ''
      releases.push(version)
      return json(201, { version, dateCreated: new Date().toISOString(), projects: [] })
    }
    if ((m = /^\/api\/0\/(?:organizations|projects)\/([^/]+)\/(?:[^/]+\/)?releases\/([^/]+)\/?$/.exec(path))) {
      return json(200, { version: decodeURIComponent(m[2]!), dateReleased: new Date().toISOString() })
    }
    json(404, { detail: 'not in the fake' })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: origin,
    requests: () => [...requests],
    bundles: () => [...bundles],
    releases: () => [...releases],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    req.on('data', (d: Buffer) => parts.push(d))
    req.on('end', () => resolve(Buffer.concat(parts)))
    req.on('error', reject)
  })
}

const isGzip = (b: Buffer) => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b

/** The file parts of a `multipart/form-data` body. */
function multipartFiles(body: Buffer, contentType: string): Array<{ name: string; data: Buffer }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType)
  if (!boundary) return []
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`)
  const out: Array<{ name: string; data: Buffer }> = []
  let start = body.indexOf(delimiter)
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length)
    if (next === -1) break
    const part = body.subarray(start + delimiter.length + 2, next - 2)
    const split = part.indexOf('\r\n\r\n')
    if (split !== -1) {
      const head = part.subarray(0, split).toString('utf8')
      const name = /filename="([^"]*)"/i.exec(head)?.[1] ?? /name="([^"]*)"/i.exec(head)?.[1] ?? ''
      out.push({ name, data: Buffer.from(part.subarray(split + 4)) })
    }
    start = next
  }
  return out
}

interface Manifest {
  org?: string
  release?: string
  dist?: string
  files?: Record<string, { url: string; type: string; headers?: Record<string, string> }>
}

/** An artifact bundle: a zip with `manifest.json` listing each file's URL, type and debug id. */
function readBundle(zip: Buffer, org: string, projects: string[], version: string | undefined, dist: string | undefined): AssembledBundle {
  const entries = unzipSync(new Uint8Array(zip))
  const manifest = JSON.parse(Buffer.from(entries['manifest.json'] ?? new Uint8Array()).toString('utf8') || '{}') as Manifest
  const files = Object.entries(manifest.files ?? {}).map(([path, f]) => {
    const headers = Object.fromEntries(Object.entries(f.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
    return { path, url: f.url, type: f.type, debugId: headers['debug-id'], content: Buffer.from(entries[path] ?? new Uint8Array()) }
  })
  return { org, projects, release: version ?? manifest.release, dist: dist ?? manifest.dist, files }
}
