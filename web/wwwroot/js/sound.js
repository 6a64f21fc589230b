// "Bật âm thanh": phones speak only after a tap. One tap unlocks audio and says a test phrase; the control always shows
// the true state — off (not unlocked yet), on, or muted. A Vietnamese voice is used when the browser has one; otherwise
// recorded clips of the number words (audio/vi/*.opus) are played one after another, so the WHOLE amount is heard.
(function () {
  'use strict';
  var control = document.getElementById('sound-control');
  if (!control) return;
  var prefKey = 'cho40.sound';
  var clipBase = control.dataset.clips || '/audio/vi/';
  var player = new Audio();
  player.preload = 'auto';
  var queue = [];
  var playing = false;
  var state = 'off';
  var voice = null;

  function findVoice() {
    if (!window.speechSynthesis) return null;
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.toLowerCase().replace('_', '-').indexOf('vi') === 0) return voices[i];
    }
    return null;
  }
  voice = findVoice();
  if (window.speechSynthesis && window.speechSynthesis.addEventListener) {
    window.speechSynthesis.addEventListener('voiceschanged', function () { voice = findVoice(); show(); });
  }

  function show() {
    control.dataset.state = state;
    control.dataset.mode = voice ? 'voice' : 'clips';
    control.textContent = control.dataset['label' + state.charAt(0).toUpperCase() + state.slice(1)];
    control.setAttribute('aria-pressed', state === 'on' ? 'true' : 'false');
    control.classList.toggle('sound-off', state !== 'on');
  }

  function next() {
    var url = queue.shift();
    if (!url) { playing = false; return; }
    playing = true;
    player.src = url;
    var started = player.play();
    if (started && started.catch) started.catch(function (error) {
      queue = []; playing = false;
      // The browser refused (no tap yet on this page): say so instead of pretending. (Muting interrupts a clip: not that.)
      if (error && error.name === 'NotAllowedError' && state === 'on') { state = 'off'; show(); }
    });
  }
  player.addEventListener('ended', next);
  player.addEventListener('error', next);

  function playClips(ids) {
    queue = queue.concat(ids.map(function (id) { return clipBase + id + '.opus'; }));
    if (!playing) next();
  }

  function speakWords(text) {
    var u = new SpeechSynthesisUtterance(text);
    u.lang = 'vi-VN';
    u.voice = voice;
    u.rate = 0.9;
    window.speechSynthesis.speak(u);
  }

  // Says text (a Vietnamese voice) or its clips (none). Returns whether anything could be heard.
  function say(text, clips) {
    control.dataset.lastSpoken = text;
    if (state !== 'on') return false;
    if (voice) speakWords(text);
    else playClips(clips || []);
    return true;
  }

  function turnOn() {
    state = 'on';
    localStorage.setItem(prefKey, 'on');
    show();
    say(control.dataset.testPhrase, (control.dataset.testClips || '').split(' ').filter(Boolean));
  }

  control.addEventListener('click', function () {
    if (state === 'on') {
      state = 'muted';
      localStorage.setItem(prefKey, 'muted');
      queue = [];
      player.pause();
      if (window.speechSynthesis) window.speechSynthesis.cancel();
      show();
    } else {
      turnOn();
    }
  });

  control.hidden = false;
  show();
  // Sound was on before: this page may play without a tap if the browser allows it (a silent clip finds out).
  if (localStorage.getItem(prefKey) === 'muted') { state = 'muted'; show(); }
  else if (localStorage.getItem(prefKey) === 'on') {
    player.src = clipBase + 'silence.opus';
    var trial = player.play();
    if (trial && trial.then) trial.then(function () { if (state === 'off') { state = 'on'; show(); } }, function () {});
  }

  window.Cho40Sound = { say: say, state: function () { return state; } };
})();
