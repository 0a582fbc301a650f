import 'server-only'
import { VIEWER_SCRIPT } from './viewer-script.js'
import { VIEWER_STYLES } from './viewer-styles.js'

/**
 * Marks the page's source so a test can prove none of it reached `.next/static` (local mode must
 * add nothing to the production client bundle).
 */
export const VIEWER_MARKER = 'ox-local-viewer-7c1f'

/**
 * The `/observability` document: static markup, inline CSS and a small vanilla script that polls
 * the JSON feed. It contains no event data at all; the script renders data with `textContent`
 * only. `nonce` is the CSP nonce of this response.
 *
 * @example
 * new Response(viewerPage(nonce), { headers: { 'content-type': 'text/html; charset=utf-8' } })
 */
export function viewerPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${VIEWER_MARKER}">
<meta name="robots" content="noindex">
<title>Local observability</title>
<style nonce="${nonce}">${VIEWER_STYLES}</style>
</head>
<body>
<header>
  <h1>Local observability</h1>
  <p>Local mode: what the PostHog and Sentry SDKs, in the browser and on the server, sent to this app's own
  ingestion routes. Nothing leaves this machine. <span id="store-info"></span></p>
  <details class="rules"><summary>How events are grouped</summary>
    <ol>
      <li>By request id: the PostHog property <code>request_id</code>, the Sentry tag <code>request_id</code> (and the same attribute on the request's root span), or <code>$ai_trace_id</code> for LLM calls. One group per request, PostHog and Sentry side by side.</li>
      <li>By link: a browser <code>$exception</code> in PostHog carries <code>$sentry_event_id</code> and joins that Sentry event's group, so one error shows once per backend. A Sentry envelope without a request id joins the request whose Sentry events share its trace id on the same side (browser or server). Marked "via Sentry link" / "via Sentry trace".</li>
      <li>By page: other browser events know only their session and tab (<code>$session_id</code>, <code>$window_id</code>). They join the page they happened on: the latest <code>$pageview</code> of the same tab, which carries the id of the request that loaded the document. Marked "via page view".</li>
      <li>By session: browser events of a session without such a page view form one group per session.</li>
      <li>Anything else (Sentry session updates, start-up spans, middleware spans) is a row of its own, labelled browser or server.</li>
    </ol>
    <p>Breadcrumbs: expanding a Sentry error lists the steps its request (or page) recorded before it, <code>addBreadcrumb()</code> calls and console lines, above its JSON.</p>
    <p>Replays: a recording's text is printed as it left the browser. Masked text shows as <code>***</code>; anything readable there was not masked.</p>
  </details>
</header>
<form id="filters" class="filters">
  <label>Backend <select id="f-backend"><option value="">all</option><option value="posthog">PostHog</option><option value="sentry">Sentry</option></select></label>
  <label>Event type <select id="f-type"><option value="">all</option></select></label>
  <label><input type="checkbox" id="f-errors"> errors only</label>
  <label>Search <input type="search" id="f-search" placeholder="request id, text…"></label>
  <label><input type="checkbox" id="f-live" checked> live</label>
  <span id="status" class="status" role="status">loading…</span>
</form>
<main id="timeline" aria-live="polite"></main>
<script nonce="${nonce}">${VIEWER_SCRIPT}</script>
</body>
</html>
`
}
