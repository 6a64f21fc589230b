// The phone's outbox: what is typed while there is no coverage (a cash sale, a trace event with its photos) waits here
// (IndexedDB) with the time it was captured and an idempotency key, and is sent when the phone is back online — again and
// again if need be: the server stores each key once. The page shows what is still waiting.
(function () {
  'use strict';
  if (!window.indexedDB || !window.fetch || !window.FormData) return;
  var DB = 'cho40-outbox', STORE = 'items';
  var listeners = [];
  var flushing = null;
  var again = null;

  function db() {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open(DB, 1);
      open.onupgradeneeded = function () { open.result.createObjectStore(STORE, { keyPath: 'key' }); };
      open.onsuccess = function () { resolve(open.result); };
      open.onerror = function () { reject(open.error); };
    });
  }
  function tx(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode);
        var result = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && 'result' in result ? result.result : undefined); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function all() { return tx('readonly', function (s) { return s.getAll(); }).then(function (items) { return (items || []).sort(function (a, b) { return a.capturedAt < b.capturedAt ? -1 : 1; }); }); }
  function put(item) { return tx('readwrite', function (s) { s.put(item); }); }
  function remove(key) { return tx('readwrite', function (s) { s.delete(key); }); }
  function changed() { all().then(function (items) { listeners.forEach(function (l) { l(items); }); }); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // Sends one item; resolves to 'sent', 'waiting' (no coverage: try later) or 'failed' (refused: shown with the reason).
  function send(item) {
    var body = new FormData();
    Object.keys(item.fields).forEach(function (name) {
      var v = item.fields[name];
      if (Array.isArray(v)) v.forEach(function (x) { body.append(name, x); }); else body.append(name, v);
    });
    (item.files || []).forEach(function (f) { body.append(f.field, f.blob, f.name); });
    return fetch(item.url, { method: 'POST', body: body, credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (response.ok) return response.json().then(function (answer) { item.answer = answer; return 'sent'; }, function () { return 'sent'; });
        if (response.status === 408 || response.status === 429 || response.status >= 500) return 'waiting';
        return response.json().then(function (p) { return p.detail || p.title || ('HTTP ' + response.status); }, function () { return 'HTTP ' + response.status; })
          .then(function (reason) { item.status = 'failed'; item.error = reason; return put(item).then(function () { return 'failed'; }); });
      }, function () { return 'waiting'; });
  }

  function flush() {
    // One send at a time; asked again meanwhile (a new item), it runs once more after the current one.
    if (flushing) {
      if (!again) again = flushing.catch(function () {}).then(function () { again = null; return flush(); });
      return again;
    }
    flushing = all().then(function (items) {
      var sent = [];
      return items.filter(function (i) { return i.status !== 'failed'; }).reduce(function (p, item) {
        return p.then(function (stop) {
          if (stop) return true;
          return send(item).then(function (outcome) {
            if (outcome === 'sent') { sent.push(item); return remove(item.key).then(function () { return false; }); }
            return outcome === 'waiting';
          });
        });
      }, Promise.resolve(false)).then(function () { return sent; });
    }).then(function (sent) {
      flushing = null;
      changed();
      sent.forEach(function (item) { document.dispatchEvent(new CustomEvent('cho40:sent', { detail: item })); });
      return sent;
    }, function (e) { flushing = null; throw e; });
    return flushing;
  }

  // Queues an item and tries to send it at once.
  function add(item) {
    item.key = item.key || newKey();
    item.capturedAt = item.capturedAt || new Date().toISOString();
    item.status = 'waiting';
    return put(item).then(function () { changed(); return flush(); }).then(function (sent) {
      return sent.some(function (s) { return s.key === item.key; });
    });
  }

  function retry(key) {
    return all().then(function (items) {
      var item = items.filter(function (i) { return i.key === key; })[0];
      if (!item) return;
      item.status = 'waiting'; item.error = null;
      return put(item);
    }).then(flush);
  }

  function discard(key) { return remove(key).then(changed); }

  // Renders the waiting items of a scope into a container with data-outbox="scope".
  function render(container) {
    var scope = container.dataset.outbox;
    var list = container.querySelector('ol');
    var count = container.querySelector('[data-outbox-count]');
    listeners.push(function (items) {
      var prefix = scope.charAt(scope.length - 1) === '*' ? scope.slice(0, -1) : null;
      var mine = items.filter(function (i) { return prefix !== null ? i.scope.indexOf(prefix) === 0 : i.scope === scope; });
      container.hidden = mine.length === 0;
      if (count) count.textContent = String(mine.length);
      list.textContent = '';
      mine.forEach(function (item) {
        var li = document.createElement('li');
        li.className = 'outbox-item outbox-' + item.status;
        li.dataset.key = item.key;
        var when = new Date(item.capturedAt).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit' });
        var text = document.createElement('span');
        text.textContent = item.label + ' · ' + when + ' · ' + (item.status === 'failed'
          ? container.dataset.labelFailed + ': ' + item.error : container.dataset.labelWaiting);
        li.appendChild(text);
        if (item.status === 'failed') {
          var again = document.createElement('button');
          again.type = 'button'; again.className = 'button'; again.textContent = container.dataset.labelRetry;
          again.addEventListener('click', function () { retry(item.key); });
          var drop = document.createElement('button');
          drop.type = 'button'; drop.className = 'button danger'; drop.textContent = container.dataset.labelDiscard;
          drop.addEventListener('click', function () { discard(item.key); });
          li.appendChild(again); li.appendChild(drop);
        }
        list.appendChild(li);
      });
    });
  }

  document.querySelectorAll('[data-outbox]').forEach(render);
  window.addEventListener('online', function () { flush(); });
  setInterval(function () { if (navigator.onLine) flush(); }, 30000);
  changed();
  flush().catch(function () {});

  window.Cho40Outbox = { add: add, flush: flush, all: all, newKey: newKey };
})();
