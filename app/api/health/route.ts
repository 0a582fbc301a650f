/** Health check: never tracked, never produces `api_request` (docs/events.md). */
export function GET() {
  return Response.json({ ok: true })
}
