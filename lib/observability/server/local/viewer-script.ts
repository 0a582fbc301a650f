import 'server-only'

/**
 * The `/observability` page's script: polls the feed, renders the timeline, fetches an event's
 * data when it is expanded. Plain ES2020 in a string (no bundler, no framework), so the page is
 * one self-contained response and nothing of it reaches the app's client bundle.
 *
 * Every value from an event is user-controlled: the script builds DOM nodes and sets
 * `textContent`, never `innerHTML`. No backticks below: this is a template literal.
 */
export const VIEWER_SCRIPT = `
(function () {
  'use strict';
  var FEED = '/_ox/local/events';
  var POLL_MS = 1000;
  var state = { version: '', events: new Map(), groups: [], store: null, open: new Set(), details: new Map(), busy: false };
  var byId = function (id) { return document.getElementById(id); };
  var filters = { backend: byId('f-backend'), type: byId('f-type'), errors: byId('f-errors'), search: byId('f-search'), live: byId('f-live') };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null && text !== '') node.textContent = String(text);
    return node;
  }
  function clock(ms) {
    var d = new Date(ms);
    var pad = function (n, w) { return String(n).padStart(w || 2, '0'); };
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
  }
  function setStatus(text) { byId('status').textContent = text; }

  async function poll() {
    if (state.busy || !filters.live.checked || document.hidden) return;
    state.busy = true;
    try {
      var res = await fetch(FEED + '?v=' + encodeURIComponent(state.version), { cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      var body = await res.json();
      if (!body.unchanged) {
        state.version = body.version;
        state.store = body.store;
        state.events = new Map(body.events.map(function (e) { return [e.id, e]; }));
        state.groups = body.groups;
        render();
      }
      setStatus('live · updated ' + clock(Date.now()));
    } catch (error) {
      setStatus('cannot reach the feed (' + error.message + '), retrying…');
    } finally {
      state.busy = false;
    }
  }

  function matches(e) {
    if (filters.backend.value && e.backend !== filters.backend.value) return false;
    if (filters.type.value && e.type !== filters.type.value) return false;
    if (filters.errors.checked && !e.error) return false;
    return true;
  }
  function searched(group, events) {
    var q = filters.search.value.trim().toLowerCase();
    if (!q) return true;
    var hay = [group.id || '', group.title].concat(events.map(function (e) { return e.title + ' ' + e.type + ' ' + (e.requestId || '') + ' ' + (e.sessionId || ''); }));
    return hay.join(' ').toLowerCase().indexOf(q) !== -1;
  }

  function renderTypes() {
    var seen = new Set();
    state.events.forEach(function (e) { seen.add(e.type); });
    var current = filters.type.value;
    var wanted = [''].concat(Array.from(seen).sort());
    var have = Array.from(filters.type.options).map(function (o) { return o.value; });
    if (wanted.join('\\u0000') === have.join('\\u0000')) return;
    filters.type.replaceChildren.apply(filters.type, wanted.map(function (t) { var o = el('option', '', t || 'all'); o.value = t; return o; }));
    filters.type.value = seen.has(current) ? current : '';
  }

  function render() {
    renderTypes();
    var s = state.store;
    if (s) byId('store-info').textContent = 'Kept in ' + s.dir + ': the last ' + s.maxEvents + ' events or ' + Math.round(s.maxBytes / 1048576) + ' MB, oldest dropped first; ' + state.events.size + ' shown.' + (s.skipped ? ' ' + s.skipped + ' unreadable lines skipped.' : '');
    var root = byId('timeline');
    var out = [];
    state.groups.forEach(function (group) {
      var events = group.events.map(function (m) { var e = state.events.get(m.id); return e && matches(e) ? { e: e, by: m.by } : null; }).filter(Boolean);
      if (!events.length || !searched(group, events.map(function (x) { return x.e; }))) return;
      out.push(renderGroup(group, events));
    });
    if (!out.length) {
      out.push(el('p', 'empty', state.events.size ? 'No events match the filters.' : 'Nothing yet. Use the app in another tab (for example /debug/throw); its events appear here within a second or two.'));
    }
    root.replaceChildren.apply(root, out);
  }

  function renderGroup(group, members) {
    if (group.kind === 'single') return renderSingle(members[0].e);
    var box = el('section', 'group');
    box.dataset.kind = group.kind;
    if (group.id) box.dataset.id = group.id;
    var head = el('div', 'head');
    var first = members[0].e;
    var label = group.kind === 'request' ? 'request' : group.kind === 'session' ? 'browser session' : first.source;
    head.append(el('span', 'badge', label));
    if (group.id) head.append(el('span', 'mono rid', group.id));
    head.append(el('span', 'title', group.title));
    if (group.errors) head.append(el('span', 'badge err', group.errors + ' error' + (group.errors > 1 ? 's' : '')));
    if (members.some(function (m) { return m.e.replay; })) head.append(el('span', 'badge', 'replay recorded'));
    head.append(el('span', 'meta', clock(group.first) + ' · PostHog ' + group.posthog + ' · Sentry ' + group.sentry));
    box.append(head);
    var cols = el('div', 'cols');
    ['posthog', 'sentry'].forEach(function (backend) {
      var col = el('div', 'col ' + backend);
      col.append(el('h3', '', backend === 'posthog' ? 'PostHog' : 'Sentry'));
      var rows = members.filter(function (m) { return m.e.backend === backend; });
      if (!rows.length) col.append(el('div', 'none', 'nothing'));
      rows.forEach(function (m) { col.append(renderEvent(m.e, m.by)); });
      cols.append(col);
    });
    box.append(cols);
    return box;
  }

  /** An event that belongs to no request or session: one compact row, not two columns. */
  function renderSingle(e) {
    var box = el('section', 'group single');
    box.dataset.kind = 'single';
    var row = el('div', 'col ' + e.backend);
    row.append(renderEvent(e, 'none', e.backend === 'posthog' ? 'PostHog' : 'Sentry'));
    box.append(row);
    return box;
  }

  function renderEvent(e, by, backendLabel) {
    var item = el('details', 'event' + (e.error ? ' error' : ''));
    item.dataset.id = e.id;
    item.dataset.type = e.type;
    item.dataset.source = e.source;
    var summary = el('summary');
    summary.append(el('span', 'time mono', clock(e.time)), el('span', 'badge ' + e.source, e.source));
    if (backendLabel) summary.append(el('span', 'backend ' + e.backend, backendLabel));
    summary.append(el('span', 'type', e.type), el('span', 'etitle', e.title));
    if (by && by !== 'request id' && by !== 'none') summary.append(el('span', 'badge', 'via ' + by));
    item.append(summary);
    if (e.replay) {
      item.append(el('div', 'replay-label', 'Text in this recording (masked text shows as ***):'));
      item.append(el('div', 'replay mono', e.replay.text || '(no text)'));
    }
    var pre = el('pre', 'json');
    pre.hidden = true;
    item.append(pre);
    item.addEventListener('toggle', function () {
      if (item.open) { state.open.add(e.id); showDetail(e.id, pre); } else state.open.delete(e.id);
    });
    if (state.open.has(e.id)) item.open = true;
    return item;
  }

  async function showDetail(id, pre) {
    pre.hidden = false;
    if (!state.details.has(id)) {
      pre.textContent = 'loading…';
      try {
        var res = await fetch(FEED + '/' + encodeURIComponent(id), { cache: 'no-store' });
        var body = res.ok ? await res.json() : null;
        state.details.set(id, { text: body ? JSON.stringify(body, null, 2) : 'No longer stored (HTTP ' + res.status + ').', crumbs: breadcrumbsOf(body) });
      } catch (error) {
        pre.textContent = 'Could not load: ' + error.message;
        return;
      }
    }
    var detail = state.details.get(id);
    var old = pre.previousElementSibling;
    if (old && old.classList.contains('crumbs')) old.remove();
    if (detail.crumbs.length) pre.before(renderBreadcrumbs(detail.crumbs));
    pre.textContent = detail.text;
  }

  /** A Sentry error's breadcrumbs: the steps its request (or page) took before it, oldest first. */
  function breadcrumbsOf(stored) {
    var items = stored && stored.backend === 'sentry' && stored.data && Array.isArray(stored.data.items) ? stored.data.items : [];
    for (var i = 0; i < items.length; i++) {
      var payload = items[i] && items[i].type === 'event' ? items[i].payload : null;
      if (!payload) continue;
      var list = payload.breadcrumbs;
      if (list && !Array.isArray(list)) list = list.values;
      return Array.isArray(list) ? list.filter(function (b) { return b && typeof b === 'object'; }) : [];
    }
    return [];
  }

  function renderBreadcrumbs(crumbs) {
    var box = el('div', 'crumbs');
    box.append(el('div', 'crumbs-label', 'Breadcrumbs (' + crumbs.length + '), oldest first:'));
    var list = el('ol', 'crumb-list');
    crumbs.forEach(function (b) {
      var row = el('li', 'crumb');
      row.dataset.level = String(b.level || 'info');
      if (typeof b.timestamp === 'number') row.append(el('span', 'time mono', clock(b.timestamp * 1000)));
      row.append(el('span', 'badge level', b.level || 'info'), el('span', 'category', b.category || b.type || ''), el('span', 'message', b.message || ''));
      if (b.data && typeof b.data === 'object' && Object.keys(b.data).length) row.append(el('span', 'mono data', JSON.stringify(b.data)));
      list.append(row);
    });
    box.append(list);
    return box;
  }

  ['change', 'input'].forEach(function (type) { byId('filters').addEventListener(type, function () { render(); if (filters.live.checked) poll(); }); });
  byId('filters').addEventListener('submit', function (event) { event.preventDefault(); });
  document.addEventListener('visibilitychange', poll);
  setInterval(poll, POLL_MS);
  poll();
})();
`
