// Chợ 4.0 service worker: the stall's pages, its sign and the audio clips open offline; the field form too.
// Pages: network first, the last copy seen when offline. Static files: cache first by their full URL (hashed
// ?v= or fingerprinted names are new URLs; a miss falls back to any cached version of the same path when offline).
// Anything typed offline waits in the page's outbox (js/outbox.js), not here.
'use strict';
var SHELL = 'cho40-shell-v1';
var PAGES = 'cho40-pages-v1';
var STATIC = 'cho40-static-v1';
var KEEP = [SHELL, PAGES, STATIC];

// Pages kept for offline use: the stall's pages and the seller's field (trace) pages.
var OFFLINE_PAGES = /^\/(Stall(\/|$)|Seller\/Trace(\/|$))/;
var STATIC_PATHS = /^\/(css|js|audio|icons|lib)\//;

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return fetch('/audio/vi/clips.tsv', { cache: 'no-store' }).then(function (r) { return r.text(); }).then(function (tsv) {
      var clips = tsv.split('\n').map(function (l) { return l.split('\t')[0].trim(); })
        .filter(function (id) { return id && id[0] !== '#'; })
        .map(function (id) { return '/audio/vi/' + id + '.opus'; });
      return cache.addAll(['/offline.html', '/manifest.webmanifest', '/icons/app-192.png', '/icons/app-512.png',
        '/audio/vi/clips.tsv', '/audio/vi/silence.opus'].concat(clips));
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return KEEP.indexOf(n) < 0; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request, cacheName) {
  return fetch(request).then(function (response) {
    if (response.ok && response.type === 'basic' && !response.redirected) {
      var copy = response.clone();
      caches.open(cacheName).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) {
      if (hit) return hit;
      if (request.mode !== 'navigate') return Response.error();
      // A page asked with other query values (?so-tien=…): the same page as last seen, else the offline page.
      return caches.match(request, { ignoreSearch: true }).then(function (loose) { return loose || caches.match('/offline.html'); });
    });
  });
}

function cacheFirst(request) {
  return caches.match(request).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      if (response.ok && response.type === 'basic') {
        var copy = response.clone();
        caches.open(STATIC).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreSearch: true }).then(function (loose) { return loose || Response.error(); });
    });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && url.pathname === '/Account/SignOut') {
    // Someone else may use this phone next: forget the pages kept for the one signing out.
    event.respondWith(caches.delete(PAGES).then(function () { return fetch(request); }));
    return;
  }
  if (request.method !== 'GET') return;
  if ((request.headers.get('Accept') || '').indexOf('text/event-stream') >= 0) return;
  if (STATIC_PATHS.test(url.pathname) || url.pathname === '/manifest.webmanifest' || url.pathname === '/offline.html') {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (OFFLINE_PAGES.test(url.pathname) && !/\/Events$/.test(url.pathname)) {
    event.respondWith(networkFirst(request, PAGES));
  }
});

// A page asks for its offline companions (the stall's sign, its screen) to be kept while there is coverage.
self.addEventListener('message', function (event) {
  var data = event.data || {};
  if (data.type !== 'keep' || !Array.isArray(data.urls)) return;
  event.waitUntil(caches.open(PAGES).then(function (cache) {
    return Promise.all(data.urls.filter(function (u) { return typeof u === 'string' && u[0] === '/'; }).map(function (u) {
      return fetch(u, { credentials: 'same-origin', headers: { 'X-Cho40-Offline-Copy': '1' } }).then(function (r) { if (r.ok && !r.redirected) return cache.put(u, r); }).catch(function () {});
    }));
  }));
});
