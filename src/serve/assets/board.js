/* board.js: what makes the board of preflight serve live (docs/board.md).
   The pages work without it: filters are plain GET forms and actions plain
   POST forms answered with a redirect. With it:
   - an action form is sent with fetch (the session's CSRF token in a
     header, JSON asked for) and a refusal is shown next to the item
     without leaving the page;
   - the page listens to /api/v1/stream (Server-Sent Events) and, a moment
     after events arrive, fetches its own URL with fragment=live and swaps
     the #live part in place, keeping what was half-typed in a reason;
   - "reset" (the stream lost its place) reloads the page. */
(function () {
  'use strict';
  var live = document.getElementById('live');
  var indicator = document.getElementById('live-state');
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var alerts = {};   /* data-key -> {text, ok}: messages kept across swaps */

  function setState(state, text) {
    if (!indicator) return;
    indicator.setAttribute('data-state', state);
    indicator.textContent = text;
  }

  function fragmentURL() {
    var u = new URL(window.location.href);
    u.searchParams.set('fragment', 'live');
    u.hash = '';
    return u.toString();
  }

  function keyOf(el) {
    var k = el.closest('[data-key]');
    return k ? k.getAttribute('data-key') : null;
  }

  function showAlert(key, text, ok) {
    if (!key) return;
    if (text) alerts[key] = { text: text, ok: ok }; else delete alerts[key];
    applyAlert(key);
  }

  function applyAlert(key) {
    var holder = live && live.querySelector('[data-key="' + CSS.escape(key) + '"] .alert');
    if (!holder) return;
    var a = alerts[key];
    holder.textContent = a ? a.text : '';
    holder.classList.toggle('ok', !!(a && a.ok));
    if (a) holder.setAttribute('role', 'alert'); else holder.removeAttribute('role');
  }

  /* The values typed into the forms of #live, by form and field, and
     which field had the focus, so a swap does not eat them. */
  function saveInputs() {
    var saved = { values: {}, focus: null, start: 0, end: 0 };
    live.querySelectorAll('input[type=text],textarea').forEach(function (el) {
      var k = keyOf(el);
      if (!k) return;
      if (el.value) saved.values[k + '\u0000' + el.name] = el.value;
      if (el === document.activeElement) {
        saved.focus = k + '\u0000' + el.name;
        saved.start = el.selectionStart; saved.end = el.selectionEnd;
      }
    });
    return saved;
  }

  function restoreInputs(saved) {
    live.querySelectorAll('input[type=text],textarea').forEach(function (el) {
      var k = keyOf(el);
      if (!k) return;
      var id = k + '\u0000' + el.name;
      if (saved.values[id] !== undefined) el.value = saved.values[id];
      if (saved.focus === id) {
        el.focus();
        try { el.setSelectionRange(saved.start, saved.end); } catch (e) { /* not a text field */ }
      }
    });
    Object.keys(alerts).forEach(applyAlert);
  }

  var refreshing = false, again = false, timer = null;

  function refresh() {
    if (!live) return;
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(fragmentURL(), { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (res) {
        if (res.status === 401 || res.status === 403 || res.redirected) { window.location.reload(); return null; }
        return res.ok ? res.text() : null;
      })
      .then(function (html) {
        if (html === null || html === undefined) return;
        var saved = saveInputs();
        live.innerHTML = html;
        restoreInputs(saved);
        document.dispatchEvent(new CustomEvent('board:updated'));
      })
      .catch(function () { /* the stream's reconnect brings the next try */ })
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }

  function soon() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; refresh(); }, 200);
  }

  /* Action forms: fetch, JSON, the message next to the item. */
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.matches('form[data-action]')) return;
    ev.preventDefault();
    var submitter = ev.submitter;
    var url = (submitter && submitter.getAttribute('formaction')) || form.getAttribute('action');
    var body = new URLSearchParams(new FormData(form));
    var key = keyOf(form);
    var buttons = form.querySelectorAll('button');
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(url, {
      method: 'POST', credentials: 'same-origin', body: body,
      headers: { 'Accept': 'application/json', 'X-CSRF-Token': csrf }
    }).then(function (res) {
      /* the session ended: reloading goes to the login, which comes back here */
      if (res.status === 401) { window.location.reload(); return new Promise(function () {}); }
      return res.json().catch(function () { return { ok: false, message: 'the server answered ' + res.status }; });
    }).then(function (j) {
      if (j.ok) {
        showAlert(key, null);
        form.querySelectorAll('input[type=text]').forEach(function (el) { el.value = ''; });
        refresh();
      } else {
        showAlert(key, j.message || (j.error && j.error.message) || 'refused', false);
      }
    }).catch(function () {
      showAlert(key, 'the server did not answer; try again', false);
    }).then(function () {
      buttons.forEach(function (b) { b.disabled = false; });
    });
  });

  /* The live feed. */
  if (live && window.EventSource) {
    var run = live.getAttribute('data-run');
    var src = '/api/v1/stream' + (run && run !== '0' ? '?run=' + encodeURIComponent(run) : '');
    var es = new EventSource(src);
    setState('reconnecting', 'connecting');
    es.onopen = function () { setState('connected', 'live'); };
    es.onerror = function () { setState('reconnecting', 'reconnecting'); };
    es.onmessage = soon;
    ['run.open', 'run.close', 'item.start', 'item.result', 'item.confirm', 'item.fail', 'item.skip',
      'item.reopen', 'followup.open', 'followup.close', 'followup.ticket', 'alert.queued', 'alert.sent',
      'alert.dead'].forEach(function (kind) { es.addEventListener(kind, soon); });
    es.addEventListener('reset', function () { window.location.reload(); });
    window.addEventListener('pagehide', function () { es.close(); });
  }
})();
