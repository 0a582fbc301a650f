import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import type { Socket } from 'node:net'

/**
 * Plumbing shared by the fake OpenAI and Anthropic servers: a node:http server on 127.0.0.1 with
 * an ephemeral port, scripted failure modes, a request log, and sockets that `close()` destroys
 * (a 'hang' request is never answered, so a graceful close would wait forever).
 */

/**
 * - `ok`: a normal answer (JSON, or SSE when the request has `stream: true`)
 * - `quota`: 429 with the provider's quota / rate-limit error body
 * - `server_error`: 500 with the provider's error body
 * - `content_filter`: OpenAI: 400 `code: content_filter`; Anthropic: a 200 `stop_reason: refusal`
 * - `refusal`: a 200 completion the model refused (`finish_reason: content_filter` / `stop_reason: refusal`)
 * - `hang`: accept the request and never answer
 */
export type FakeLlmMode = 'ok' | 'quota' | 'server_error' | 'content_filter' | 'refusal' | 'hang' | 'invalid_quoting' | 'server_quoting'

const MODES: readonly FakeLlmMode[] = ['ok', 'quota', 'server_error', 'content_filter', 'refusal', 'hang', 'invalid_quoting', 'server_quoting']

/** A prompt containing `[[fake:<mode>]]` overrides the server's mode for that request. */
const DIRECTIVE = /\[\[fake:([a-z_]+)\]\]/

export interface RecordedLlmRequest {
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: Record<string, unknown>
  readonly mode: FakeLlmMode
}

export interface FakeLlm {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** The `baseURL` to give the provider's client. */
  readonly baseURL: string
  setMode(mode: FakeLlmMode): void
  requests(): RecordedLlmRequest[]
  clear(): void
  close(): Promise<void>
}

export interface FakeLlmTiming {
  /** Delay before the first content chunk of a stream, so time to first token is measurable. */
  firstTokenDelayMs?: number
  /** Delay between later chunks. */
  chunkDelayMs?: number
}

export interface Exchange {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly path: string
  readonly body: Record<string, unknown>
  readonly mode: FakeLlmMode
}

/** Deterministic token count both fakes report (and tests assert): one token per 4 characters. */
export function fakeTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

/** The reply both fakes give: the prompt echoed back, so payload sizes follow the prompt. */
export function fakeReply(prompt: string): string {
  return `Echo: ${prompt}`
}

/** Text of a message's `content` (a string, or OpenAI / Anthropic content parts). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content))
    return content.map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('')
  return ''
}

export function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return ''
  const user = [...messages].reverse().find((m) => m && typeof m === 'object' && (m as { role?: unknown }).role === 'user') as { content?: unknown } | undefined
  return contentText(user?.content)
}

export function allText(messages: unknown, system?: unknown): string {
  const parts = Array.isArray(messages) ? messages.map((m) => contentText((m as { content?: unknown } | null)?.content)) : []
  return [contentText(system), ...parts].join('')
}

/** Simulated provider latency: the time a real model takes between stream events. */
const latency = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A provider's reply as a stream: the wait for the first token, then a few deltas, each followed
 * by the wait between chunks. `emit` writes one delta in the provider's format.
 */
export async function streamDeltas(
  reply: string,
  timing: Required<FakeLlmTiming>,
  emit: (piece: string) => void,
  around: { before?(): void; after?(): void } = {},
): Promise<void> {
  await latency(timing.firstTokenDelayMs)
  if (!reply) return
  around.before?.()
  for (const piece of pieces(reply)) {
    emit(piece)
    await latency(timing.chunkDelayMs)
  }
  around.after?.()
}

/**
 * The start function of a provider's fake: its server under `basePath` (e.g. `/v1`), answering
 * with `answer`, streams paced by the given timing (40 ms to the first token, 5 ms a chunk).
 */
export function fakeLlmStarter(
  basePath: string,
  answer: (exchange: Exchange, timing: Required<FakeLlmTiming>) => Promise<void>,
): (options?: { mode?: FakeLlmMode } & FakeLlmTiming) => Promise<FakeLlm> {
  return (options = {}) => {
    const timing = { firstTokenDelayMs: options.firstTokenDelayMs ?? 40, chunkDelayMs: options.chunkDelayMs ?? 5 }
    return startFakeLlmServer(basePath, (x) => answer(x, timing), options.mode)
  }
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

export function sse(res: ServerResponse): (data: string, event?: string) => void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
  return (data, event) => res.write(`${event ? `event: ${event}\n` : ''}data: ${data}\n\n`)
}

/** Splits a reply into a few stream deltas. */
export function pieces(text: string, count = 3): string[] {
  const size = Math.max(1, Math.ceil(text.length / count))
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out.length ? out : ['']
}

export async function startFakeLlmServer(basePath: string, handle: (x: Exchange) => Promise<void> | void, initialMode: FakeLlmMode = 'ok'): Promise<FakeLlm> {
  let mode = initialMode
  let log: RecordedLlmRequest[] = []
  const sockets = new Set<Socket>()

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      let body: Record<string, unknown> = {}
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>
      } catch {
        return json(res, 400, { error: { message: 'fake: body is not JSON' } })
      }
      const directive = DIRECTIVE.exec(lastUserText(body.messages))?.[1] as FakeLlmMode | undefined
      const effective = directive && MODES.includes(directive) ? directive : mode
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v
      const path = new URL(req.url ?? '/', 'http://fake').pathname
      log.push({ path, headers, body, mode: effective })
      if (effective === 'hang') return
      Promise.resolve(handle({ req, res, path, body, mode: effective })).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { error: { message: `fake crashed: ${String(error)}` } })
        else res.end()
      })
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('fake LLM server did not get a TCP port')
  const url = `http://127.0.0.1:${address.port}`
  return {
    url,
    baseURL: `${url}${basePath}`,
    setMode: (m) => void (mode = m),
    requests: () => [...log],
    clear: () => void (log = []),
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
