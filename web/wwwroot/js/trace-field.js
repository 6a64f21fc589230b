// "Use my location" on the field form: fills the GPS fields from the phone. The form works without it.
(function () {
  var button = document.getElementById('use-location');
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById('Input_Latitude').value = p.coords.latitude.toFixed(6);
      document.getElementById('Input_Longitude').value = p.coords.longitude.toFixed(6);
      button.disabled = false;
    }, function () { button.disabled = false; }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
