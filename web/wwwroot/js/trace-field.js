// The field form for trace events, made for hills without coverage: "Use my location" fills the GPS fields; the time
// defaults to the phone's own now (the page may come from the phone's cache); photos are resized on the phone (canvas →
// WebP, or JPEG where WebP cannot be written) and the event waits in the phone's outbox with its capture time until it can
// be sent — stored once however often it is sent. Without JavaScript the form posts as it is.
(function () {
  'use strict';
  var button = document.getElementById('use-location');
  if (button && navigator.geolocation) {
    button.hidden = false;
    button.addEventListener('click', function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById('Input_Latitude').value = p.coords.latitude.toFixed(6);
        document.getElementById('Input_Longitude').value = p.coords.longitude.toFixed(6);
        button.disabled = false;
      }, function () { button.disabled = false; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  var form = document.getElementById('event-form');
  if (!form || !window.Cho40Outbox) return;
  var note = document.getElementById('event-note');
  var when = document.getElementById('Input_OccurredAt');

  // Vietnam wall-clock now, as datetime-local wants it ("2026-12-06T10:05").
  function vietnamNow() {
    var parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date());
    var v = {};
    parts.forEach(function (p) { v[p.type] = p.value; });
    return v.year + '-' + v.month + '-' + v.day + 'T' + v.hour + ':' + v.minute;
  }
  if (when && when.value === when.dataset.default) when.value = vietnamNow();

  function resize(file, maxSide) {
    return new Promise(function (resolve) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, maxSide / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement('canvas');
        canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
        canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
        canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (webp) {
          if (webp && webp.type === 'image/webp') { resolve({ blob: webp, name: 'photo.webp' }); return; }
          canvas.toBlob(function (jpeg) { resolve({ blob: jpeg, name: 'photo.jpg' }); }, 'image/jpeg', 0.85);
        }, 'image/webp', 0.8);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve({ blob: file, name: file.name }); };
      img.src = url;
    });
  }

  form.addEventListener('submit', function (e) {
    // The province button reloads the commune list through the server: only online, as a plain form.
    if (e.submitter && e.submitter.getAttribute('formaction')) return;
    e.preventDefault();
    var data = new FormData(form);
    var fields = {};
    data.forEach(function (value, name) {
      if (typeof value !== 'string') return;
      if (fields[name] === undefined) fields[name] = value;
      else fields[name] = [].concat(fields[name], value);
    });
    var key = window.Cho40Outbox.newKey();
    fields.IdempotencyKey = key;
    var input = document.getElementById('photos');
    var files = Array.prototype.slice.call(input && input.files ? input.files : []);
    // The photos now belong to this event's outbox item: the next event starts with none.
    if (input) input.value = '';
    Promise.all(files.map(function (f) { return resize(f, 1600); })).then(function (photos) {
      var kind = form.querySelector('input[name="Input.Kind"]:checked');
      var label = (kind ? kind.parentNode.textContent.trim() : '') + ' · ' + (fields['Input.OccurredAt'] || '').replace('T', ' ') +
        (photos.length ? ' · ' + photos.length + ' ảnh' : '');
      return window.Cho40Outbox.add({
        key: key, scope: form.dataset.outboxScope, url: form.action, fields: fields, label: label,
        files: photos.map(function (p) { return { field: 'photos', blob: p.blob, name: p.name }; })
      });
    }).then(function (sent) {
      if (sent) return; // the 'cho40:sent' handler below shows the timeline with it
      note.textContent = form.dataset.labelQueued;
      note.className = 'flash queued';
      // The outbox sits above the form: bring what is waiting into view.
      note.scrollIntoView({ block: 'start' });
      form.reset();
      if (when) when.value = vietnamNow();
    });
  });

  // Events that waited are on the server now: show the timeline with them.
  document.addEventListener('cho40:sent', function (e) {
    if (!e.detail || e.detail.scope !== form.dataset.outboxScope) return;
    // A fresh load, not a reload: a browser restores form state on reload and would put photos back.
    form.reset();
    window.location.replace(window.location.pathname);
  });
})();
