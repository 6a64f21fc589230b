// Charge screen: follows the stall's event stream and updates the request's status without reloading.
(function () {
    'use strict';
    var screen = document.getElementById('charge-screen');
    if (!screen || !window.EventSource) return;
    var status = document.getElementById('charge-status');
    var source = new EventSource(screen.dataset.events);
    source.addEventListener('open', function () { screen.dataset.live = 'open'; });
    source.addEventListener('request', function (e) {
        var data = JSON.parse(e.data);
        if (String(data.id) !== screen.dataset.request) return;
        status.className = 'charge-status status-' + data.status;
        status.textContent = data.status === 'paid' ? screen.dataset.paid
            : data.status === 'underpaid' ? screen.dataset.underpaid + ': ' + data.receivedText : status.textContent;
    });
})();
