// The live connection of a stall page (server-sent events) and what it says about itself: "Đang nhận trực tiếp",
// "Mất kết nối — đang thử lại…", then "Đã kết nối lại — đã cập nhật". A stream that dies silently (coverage gone, no
// error) is noticed by the missing 15-second ping and reopened with the last event id, so nothing is missed.
(function () {
  'use strict';
  // lastShown: the newest payment id the page was rendered with: anything newer is sent first, even on the first connection.
  window.Cho40Live = function (url, handlers, lastShown) {
    var status = document.getElementById('live-status');
    var lastId = lastShown || null;
    var lastSeen = Date.now();
    var source = null;
    var lost = false;
    var retry = 2000;

    function setState(name) {
      if (!status) return;
      status.dataset.state = name;
      status.textContent = status.dataset[name] || '';
      document.body.dataset.live = name;
    }

    function seen(e) {
      lastSeen = Date.now();
      if (e && e.lastEventId) lastId = e.lastEventId;
    }

    function goneAway() {
      if (!lost) { lost = true; setState('lost'); }
    }

    function open() {
      var full = url + (lastId ? (url.indexOf('?') < 0 ? '?' : '&') + 'last=' + encodeURIComponent(lastId) : '');
      source = new EventSource(full);
      source.addEventListener('open', function () { seen(); retry = 2000; if (!lost) setState('open'); });
      source.addEventListener('error', function () {
        goneAway();
        if (source.readyState === EventSource.CLOSED) { source = null; setTimeout(open, retry); retry = Math.min(retry * 2, 30000); }
      });
      source.addEventListener('ping', seen);
      source.addEventListener('sync', function (e) {
        seen(e);
        if (lost) { lost = false; setState('back'); } else setState('open');
        if (handlers.sync) handlers.sync(JSON.parse(e.data));
      });
      Object.keys(handlers).forEach(function (name) {
        if (name === 'sync') return;
        source.addEventListener(name, function (e) { seen(e); handlers[name](JSON.parse(e.data), e); });
      });
    }

    setInterval(function () {
      if (!navigator.onLine) { goneAway(); return; }
      if (Date.now() - lastSeen > 40000 && source) {
        // No ping for 40 s: the connection is gone even if the browser has not noticed.
        goneAway();
        source.close();
        source = null;
        lastSeen = Date.now();
        open();
      }
    }, 5000);
    window.addEventListener('offline', goneAway);
    window.addEventListener('online', function () {
      if (source) source.close();
      source = null;
      open();
    });
    setState('connecting');
    open();
  };

  // The stall's pages are an installable app that opens offline.
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').then(function (reg) {
      var keep = document.querySelector('[data-offline-keep]');
      if (!keep) return;
      var urls = keep.dataset.offlineKeep.split(' ').filter(Boolean);
      var target = reg.active || reg.waiting || reg.installing;
      function send() { (reg.active || target).postMessage({ type: 'keep', urls: urls }); }
      if (reg.active) send();
      else if (target) target.addEventListener('statechange', function () { if (target.state === 'activated') send(); });
    }).catch(function () {});
  }
})();
