// Stall screen: payments arrive over server-sent events, are listed, added to the totals and spoken aloud
// in Vietnamese (the words come from the server, the FULL amount). Without JavaScript the page still shows
// today's payments and a "Tải lại" link.
(function () {
    'use strict';
    var screen = document.getElementById('stall-screen');
    if (!screen || !window.EventSource) return;

    var list = document.getElementById('payments');
    var announce = document.getElementById('announce');
    var muteButton = document.getElementById('mute-toggle');
    var muteKey = 'cho40.stall.muted';
    var muted = localStorage.getItem(muteKey) === '1';

    function showMute() {
        muteButton.textContent = muted ? muteButton.dataset.off : muteButton.dataset.on;
        muteButton.setAttribute('aria-pressed', muted ? 'true' : 'false');
    }
    muteButton.hidden = false;
    showMute();
    muteButton.addEventListener('click', function () {
        muted = !muted;
        localStorage.setItem(muteKey, muted ? '1' : '0');
        if (muted && window.speechSynthesis) window.speechSynthesis.cancel();
        showMute();
    });

    function speak(words) {
        screen.dataset.lastSpoken = words;
        if (muted || !window.speechSynthesis) return;
        var utterance = new SpeechSynthesisUtterance(words);
        utterance.lang = 'vi-VN';
        var voice = window.speechSynthesis.getVoices().find(function (v) { return v.lang && v.lang.toLowerCase().indexOf('vi') === 0; });
        if (voice) utterance.voice = voice;
        window.speechSynthesis.speak(utterance);
    }

    function text(tag, cls, value) {
        var el = document.createElement(tag);
        el.className = cls;
        el.textContent = value;
        return el;
    }

    function addPayment(p) {
        if (list.querySelector('[data-id="' + p.id + '"]')) return false;
        var li = document.createElement('li');
        li.className = 'payment payment-new' + (p.check !== 'ok' ? ' payment-' + p.check : '');
        li.dataset.id = p.id;
        li.appendChild(text('span', 'payment-time', p.time));
        li.appendChild(document.createTextNode(' '));
        li.appendChild(text('span', 'payment-method', p.method === 'qr' ? screen.dataset.labelQr : screen.dataset.labelCash));
        li.appendChild(document.createTextNode(' '));
        li.appendChild(text('strong', 'payment-amount', p.amountText));
        if (p.check === 'short' || p.check === 'over') {
            li.appendChild(document.createTextNode(' '));
            li.appendChild(text('span', 'flag', (p.check === 'short' ? screen.dataset.labelShort : screen.dataset.labelOver) +
                ' (' + screen.dataset.labelNeed + ' ' + p.expectedText + ')'));
        }
        list.insertBefore(li, list.firstChild);
        var none = document.getElementById('no-payments');
        if (none) none.remove();
        return true;
    }

    var source = new EventSource(screen.dataset.events);
    source.addEventListener('open', function () { screen.dataset.live = 'open'; });
    source.addEventListener('error', function () { screen.dataset.live = 'reconnecting'; });
    source.addEventListener('payment', function (e) {
        var data = JSON.parse(e.data);
        if (!data.today) return;
        if (!addPayment(data.payment)) return;
        document.getElementById('total-qr').textContent = data.totals.qr;
        document.getElementById('total-cash').textContent = data.totals.cash;
        document.getElementById('total-all').textContent = data.totals.total;
        announce.textContent = data.payment.words;
        if (data.payment.method === 'qr') speak(data.payment.words);
    });
})();
