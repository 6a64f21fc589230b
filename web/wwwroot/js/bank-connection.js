// "Kiểm tra kết nối": while the page waits for the service's test delivery, ask the server every 3 s and say when it
// arrived (without JavaScript the page reloads itself instead: <noscript> meta refresh).
(function () {
    'use strict';
    var box = document.getElementById('connection-check');
    if (!box || box.dataset.waiting !== 'true' || !window.fetch) return;
    var since = Number(box.dataset.since);
    var result = document.getElementById('check-result');
    var timer = setInterval(function () {
        fetch(box.dataset.status, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (s) {
                if (!s) return;
                if (s.lastTestText) document.getElementById('last-test').textContent = s.lastTestText;
                if (s.lastDeliveryText) document.getElementById('last-delivery').textContent = s.lastDeliveryText;
                var test = s.lastTestAt !== null && s.lastTestAt >= since;
                var any = s.lastDeliveryAt !== null && s.lastDeliveryAt >= since;
                if (!test && !any) return;
                clearInterval(timer);
                result.className = 'ok';
                result.textContent = (test ? box.dataset.arrivedTest : box.dataset.arrivedAny)
                    .replace('{0}', test ? s.lastTestText : s.lastDeliveryText);
            })
            .catch(function () { /* offline for a moment: the next tick tries again */ });
    }, 3000);
})();
