import 'server-only'

/** The `/observability` page's CSS, inlined so the page needs no asset from the app's build. */
export const VIEWER_STYLES = `
:root { color-scheme: light dark; --fg: #1d1d1f; --muted: #6b6b73; --line: #d9d9de; --bg: #fff; --panel: #f6f6f8; --ph: #1d4aff; --se: #6c5fc7; --err: #c62828; }
@media (prefers-color-scheme: dark) { :root { --fg: #ececf1; --muted: #9a9aa6; --line: #3a3a44; --bg: #16161a; --panel: #1f1f25; --ph: #7a95ff; --se: #a89cf0; --err: #ff6b6b; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, Segoe UI, sans-serif; color: var(--fg); background: var(--bg); }
header, .filters, main { max-width: 1400px; margin: 0 auto; padding: 0 16px; }
h1 { font-size: 20px; margin: 16px 0 4px; }
header p { margin: 4px 0; color: var(--muted); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.rules { margin: 6px 0 10px; color: var(--muted); }
.rules ol { margin: 6px 0; padding-left: 20px; }
.filters { display: flex; flex-wrap: wrap; gap: 14px; align-items: center; padding-top: 8px; padding-bottom: 8px; position: sticky; top: 0; background: var(--bg); border-bottom: 1px solid var(--line); z-index: 1; }
.filters select, .filters input[type=search] { font: inherit; }
.status { margin-left: auto; color: var(--muted); }
.empty { color: var(--muted); padding: 24px 0; }
.group { border: 1px solid var(--line); border-radius: 8px; margin: 12px 0; overflow: hidden; }
.group > .head { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; padding: 8px 12px; background: var(--panel); }
.group > .head .title { font-weight: 600; overflow-wrap: anywhere; }
.group > .head .meta { color: var(--muted); margin-left: auto; }
.badge { display: inline-block; border: 1px solid var(--line); border-radius: 10px; padding: 0 7px; font-size: 11px; color: var(--muted); white-space: nowrap; }
.badge.err { color: var(--err); border-color: var(--err); }
.badge.browser { color: #b26a00; }
.badge.server { color: #2e7d32; }
.cols { display: grid; grid-template-columns: 1fr 1fr; }
.col { padding: 6px 12px; min-width: 0; }
.col + .col { border-left: 1px solid var(--line); }
.col h3 { margin: 2px 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.col.posthog h3, .backend.posthog { color: var(--ph); }
.group.single { margin: 4px 0; border-style: dashed; }
.backend { font-size: 11px; font-weight: 600; text-transform: uppercase; }
.col.sentry h3, .backend.sentry { color: var(--se); }
.col .none { color: var(--muted); font-size: 12px; }
details.event { border-top: 1px dashed var(--line); }
details.event:first-of-type { border-top: 0; }
details.event > summary { cursor: pointer; padding: 3px 0; display: flex; gap: 6px; align-items: baseline; flex-wrap: wrap; list-style: none; }
details.event > summary::-webkit-details-marker { display: none; }
details.event > summary::before { content: '▸'; color: var(--muted); }
details.event[open] > summary::before { content: '▾'; }
.time { color: var(--muted); }
.type { font-weight: 600; }
.event.error .type { color: var(--err); }
.etitle { overflow-wrap: anywhere; }
.replay { margin: 4px 0 6px 14px; padding: 6px 8px; background: var(--panel); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 240px; overflow: auto; }
.replay-label { margin: 4px 0 0 14px; color: var(--muted); font-size: 12px; }
.crumbs { margin: 4px 0 0 14px; font-size: 12px; }
.crumbs-label { color: var(--muted); }
.crumb-list { margin: 2px 0 4px; padding-left: 18px; }
.crumb { display: flex; flex-wrap: wrap; gap: 6px; align-items: baseline; }
.crumb .category { font-weight: 600; }
.crumb[data-level=error] .level, .crumb[data-level=fatal] .level, .crumb[data-level=warning] .level { color: var(--err); border-color: var(--err); }
.crumb .data { color: var(--muted); overflow-wrap: anywhere; }
pre.json { margin: 4px 0 8px 14px; padding: 8px; background: var(--panel); border-radius: 6px; max-height: 480px; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
@media (max-width: 800px) { .cols { grid-template-columns: 1fr; } .col + .col { border-left: 0; border-top: 1px solid var(--line); } }
`
