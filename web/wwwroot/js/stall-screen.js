// Stall screen: payments arrive over server-sent events, are listed, added to the totals and spoken aloud in Vietnamese
// (the words and clips come from the server: the FULL amount). A cash sale goes through the phone's outbox, so one typed
// without coverage is kept and sent when the phone is back online. Without JavaScript the page still shows today's
// payments, a "Tải lại" link and plain forms.
(function () {
  'use strict';
  var screen = document.getElementById('stall-screen');
  if (!screen) return;
  var list = document.getElementById('payments');
  var announce = document.getElementById('announce');
  var cashForm = document.getElementById('cash-form');
  var note = document.getElementById('cash-note');
  var token = cashForm ? cashForm.querySelector('input[name=__RequestVerificationToken]') : null;

  function text(tag, cls, value) {
    var el = document.createElement(tag);
    el.className = cls;
    el.textContent = value;
    return el;
  }

  function setTotals(t) {
    document.getElementById('total-qr').textContent = t.qr;
    document.getElementById('total-cash').textContent = t.cash;
    document.getElementById('total-all').textContent = t.total;
  }

  function markVoided(id) {
    var li = list.querySelector('[data-id="' + id + '"]');
    if (!li || li.classList.contains('payment-voided')) return;
    li.classList.add('payment-voided');
    var form = li.querySelector('details');
    if (form) form.remove();
    li.appendChild(text('span', 'flag', screen.dataset.labelVoided));
  }

  function voidForm(p) {
    var details = document.createElement('details');
    details.className = 'void';
    details.appendChild(text('summary', '', screen.dataset.labelMistake));
    var form = document.createElement('form');
    form.method = 'post';
    form.action = screen.dataset.voidUrl;
    var id = document.createElement('input');
    id.type = 'hidden'; id.name = 'paymentId'; id.value = p.id;
    form.appendChild(id);
    if (token) form.appendChild(token.cloneNode());
    var button = text('button', 'button danger', screen.dataset.labelVoid + ' ' + p.amountText);
    button.type = 'submit';
    form.appendChild(button);
    details.appendChild(form);
    return details;
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
    if (p.canVoid) li.appendChild(voidForm(p));
    list.insertBefore(li, list.firstChild);
    var none = document.getElementById('no-payments');
    if (none) none.remove();
    return true;
  }

  window.Cho40Live(screen.dataset.events, {
    payment: function (data) {
      if (!data.today) return;
      setTotals(data.totals);
      if (data.payment.voided) { markVoided(data.payment.id); return; }
      if (!addPayment(data.payment)) return;
      if (data.payment.method === 'qr') {
        announce.textContent = data.payment.words;
        if (data.payment.check === 'short') announce.classList.add('alert-short');
        if (window.Cho40Sound) window.Cho40Sound.say(data.payment.words, data.payment.clips);
      }
    },
    sync: function (data) {
      setTotals(data.totals);
      data.voided.forEach(markVoided);
    }
  }, screen.dataset.lastPayment);

  if (!cashForm || !window.Cho40Outbox) return;
  cashForm.addEventListener('submit', function (e) {
    var input = document.getElementById('CashAmount');
    var amount = input.value.trim();
    if (!amount) return;
    e.preventDefault();
    var fields = { CashAmount: amount, SoldAt: new Date().toISOString() };
    if (token) fields.__RequestVerificationToken = token.value;
    var key = window.Cho40Outbox.newKey();
    fields.IdempotencyKey = key;
    window.Cho40Outbox.add({ key: key, scope: screen.dataset.outboxScope, url: cashForm.action, fields: fields,
      label: screen.dataset.labelCash + ' ' + amount }).then(function (sent) {
      input.value = '';
      note.textContent = (sent ? screen.dataset.labelSent : screen.dataset.labelQueued).replace('{0}', amount);
      note.className = sent ? 'flash' : 'flash queued';
    });
  });
})();
