import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the stand-in host received, as it arrived on the wire. */
export interface HostRequest {
  method: string
  path: string
  search: string
  headers: Record<string, string>
  body: Buffer
}

/** What the stand-in answers: a status, a content type (none when omitted) and a body. */
export interface HostAnswer {
  status?: number
  type?: string
  body?: string
  headers?: Record<string, string>
}

export interface RecordingHost {
  /** `http://127.0.0.1:<port>`, to use as `POSTHOG_HOST`. */
  readonly url: string
  /** Every request received since the last `clear()`, in order. */
  requests(): HostRequest[]
  /** Replaces how the host answers (default: `defaultAnswer`). */
  answerWith(answer: (req: HostRequest) => HostAnswer): void
  clear(): void
  close(): Promise<void>
}

/** What PostHog answers, by path: scripts for bundles and `config.js`, JSON for the rest. */
export function defaultAnswer(req: HostRequest): HostAnswer {
  if (/\.js$/.test(req.path)) return { type: 'application/javascript', body: 'window.__standIn = true;\n' }
  if (/\.js\.map$/.test(req.path)) return { type: 'application/json', body: '{"version":3,"mappings":""}' }
  return { type: 'application/json', body: '{"status":1}' }
}

/**
 * A plain HTTP server standing in for a PostHog host: it answers every path and records every
 * request it gets, so a test can prove that a path was forwarded, or that nothing reached it.
 *
 * @example
 * const host = await startRecordingHost()
 * // … POSTHOG_HOST=host.url, call the proxy …
 * expect(host.requests()).toEqual([])
 */
export async function startRecordingHost(): Promise<RecordingHost> {
  let received: HostRequest[] = []
  let answer = defaultAnswer
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in')
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
      const recorded: HostRequest = { method: req.method ?? 'GET', path: url.pathname, search: url.search, headers, body: Buffer.concat(chunks) }
      received.push(recorded)
      const { status = 200, type, body = '', headers: extra = {} } = answer(recorded)
      res.writeHead(status, { ...(type ? { 'content-type': type } : {}), ...extra })
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...received],
    answerWith: (fn) => {
      answer = fn
    },
    clear: () => {
      received = []
      answer = defaultAnswer
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
