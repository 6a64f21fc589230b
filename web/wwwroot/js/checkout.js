// Checkout: choosing a province fills the commune list in place from /api/communes (no reload, no POST);
// without script the province form's "Chọn" button reloads the page with ?province= instead.
(function () {
    'use strict';
    var province = document.getElementById('province');
    if (!province || !window.fetch) return;
    var communes = document.getElementById(province.dataset.target);
    var hidden = document.getElementById(province.dataset.hidden);
    var choose = document.getElementById('province-choose');
    if (choose) choose.hidden = true;
    function option(value, text) {
        var o = document.createElement('option');
        o.value = value;
        o.textContent = text;
        return o;
    }
    province.addEventListener('change', function () {
        var code = province.value;
        hidden.value = code;
        communes.replaceChildren(option('', province.dataset.empty));
        communes.disabled = true;
        if (!code) return;
        communes.setAttribute('aria-busy', 'true');
        fetch(province.dataset.communes + encodeURIComponent(code), { headers: { Accept: 'application/json' } })
            .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
            .then(function (list) {
                if (province.value !== code) return; // a later choice won
                communes.replaceChildren(option('', province.dataset.placeholder));
                list.forEach(function (c) { communes.appendChild(option(c.code, c.name)); });
                communes.disabled = false;
                history.replaceState(null, '', '?province=' + encodeURIComponent(code));
            })
            .catch(function () { if (choose) choose.hidden = false; }) // offline or failed: the plain form still works
            .finally(function () { communes.removeAttribute('aria-busy'); });
    });
})();
