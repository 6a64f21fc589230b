// Transfer instructions: "Sao chép …" buttons copy the account number or the content (the clipboard API, or a
// selection and execCommand where it is missing); without script the buttons stay hidden and the text is selectable.
(function () {
    'use strict';
    var status = document.getElementById('transfer-copy-status');
    function fallback(text) {
        var area = document.createElement('textarea');
        area.value = text;
        area.setAttribute('readonly', '');
        area.className = 'offscreen';
        document.body.appendChild(area);
        area.select();
        var ok = false;
        try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
        document.body.removeChild(area);
        return ok ? Promise.resolve() : Promise.reject(new Error('copy refused'));
    }
    document.querySelectorAll('button[data-copy]').forEach(function (button) {
        button.hidden = false;
        button.addEventListener('click', function () {
            var text = document.getElementById(button.dataset.copy).textContent.trim();
            var copy = navigator.clipboard && window.isSecureContext ? navigator.clipboard.writeText(text) : fallback(text);
            copy.catch(function () { return fallback(text); }).then(function () {
                button.dataset.copied = 'true';
                if (status) status.textContent = button.dataset.done + ': ' + text;
            }, function () {
                var range = document.createRange();
                range.selectNodeContents(document.getElementById(button.dataset.copy));
                var selection = window.getSelection();
                selection.removeAllRanges();
                selection.addRange(range);
            });
        });
    });
})();
