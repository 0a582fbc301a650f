/**
 * Reads a request body, giving up (null) as soon as it passes `max` bytes rather than buffering
 * it all: the ingestion routes are public endpoints, so a body's size is never trusted.
 *
 * @example
 * const body = await readCapped(request, 10 * 1024 * 1024)
 * if (!body) return new Response('Too large', { status: 413 })
 */
export async function readCapped(request: Request, max: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (Number(request.headers.get('content-length') ?? '0') > max) return null
  if (!request.body) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => undefined)
      return null
    }
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}
