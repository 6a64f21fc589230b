// Charge screen (Thu tiền): follows the stall's event stream, shows the request's status and says the payment aloud
// (voice or recorded clips) when it arrives; on reconnect the server sends the request's current state again.
(function () {
  'use strict';
  var screen = document.getElementById('charge-screen');
  if (!screen || !window.EventSource) return;
  var status = document.getElementById('charge-status');
  var url = screen.dataset.events + '?request=' + encodeURIComponent(screen.dataset.request);
  var spoken = {};
  window.Cho40Live(url, {
    request: function (data) {
      if (String(data.id) !== screen.dataset.request) return;
      status.className = 'charge-status status-' + data.status;
      screen.dataset.status = data.status;
      status.textContent = data.status === 'paid' ? screen.dataset.paid
        : data.status === 'underpaid' ? screen.dataset.underpaid + ': ' + data.receivedText : status.textContent;
    },
    payment: function (data) {
      var p = data.payment;
      if (p.method !== 'qr' || spoken[p.id] || !data.today) return;
      spoken[p.id] = true;
      var announce = document.getElementById('announce');
      if (announce) announce.textContent = p.words;
      if (window.Cho40Sound) window.Cho40Sound.say(p.words, p.clips);
    },
    sync: function () { }
  }, screen.dataset.lastPayment);
})();
