/** Health check: never tracked, never produces `api_request` (CONTRACT §4). */
export function GET() {
  return Response.json({ ok: true })
}
