// The dossier look-up forms: check the code's form before leaving the site, go to the official
// look-up with the code, read the receipt's barcode with the browser's own BarcodeDetector where
// there is one, and on the kiosk show a QR code instead of leaving the site.
(function () {
  'use strict';
  var MESSAGE = 'Mã hồ sơ chưa đúng dạng. Hãy kiểm tra lại mã in trên giấy tiếp nhận hồ sơ';

  function inKiosk(form) {
    var key = form.getAttribute('data-kiosk-key');
    try { return !!key && window.sessionStorage.getItem(key) === '1'; } catch (e) { return false; }
  }

  function setup(form) {
    if (form.getAttribute('data-ready')) return;
    form.setAttribute('data-ready', '1');
    var input = form.querySelector('input[type=text]');
    var error = form.querySelector('.lookup-form__error');
    var scan = form.querySelector('.lookup-form__scan');
    var video = form.querySelector('.lookup-form__video');
    var qr = form.querySelector('.lookup-form__qr');
    var url = form.getAttribute('data-lookup-url');
    var pattern = null;
    try { pattern = new RegExp(form.getAttribute('data-pattern') || '^.+$'); } catch (e) { pattern = /^.+$/; }
    var example = form.querySelector('.hint');

    function showError(text) {
      error.textContent = text;
      error.hidden = !text;
      if (text) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', error.id + (example ? ' ' + example.id : ''));
      } else {
        input.removeAttribute('aria-invalid');
        if (example) input.setAttribute('aria-describedby', example.id); else input.removeAttribute('aria-describedby');
      }
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var code = input.value.replace(/\s+/g, '');
      input.value = code;
      if (!pattern.test(code)) {
        showError(MESSAGE + (example ? ' (' + example.textContent.trim() + ').' : '.'));
        input.focus();
        return;
      }
      showError('');
      if (inKiosk(form)) {
        qr.hidden = false;
        return;
      }
      window.location.assign(url.replace('{code}', encodeURIComponent(code)));
    });

    if (!('BarcodeDetector' in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    scan.hidden = false;
    var stream = null;
    function stop() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.hidden = true;
      scan.textContent = 'Quét mã trên giấy';
    }
    scan.addEventListener('click', function () {
      if (stream) { stop(); return; }
      var detector;
      try { detector = new window.BarcodeDetector(); } catch (e) { scan.hidden = true; return; }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        scan.textContent = 'Dừng quét';
        var playing = video.play();
        if (playing && playing.catch) playing.catch(function () {});
        (function look() {
          if (!stream) return;
          detector.detect(video).then(function (codes) {
            if (codes && codes.length && codes[0].rawValue) {
              input.value = codes[0].rawValue.trim();
              stop();
              input.focus();
            } else {
              window.setTimeout(look, 250);
            }
          }, function () { window.setTimeout(look, 500); });
        }());
      }, function () {
        showError('Không mở được máy ảnh. Bạn vẫn có thể nhập mã bằng bàn phím.');
      });
    });
  }

  document.querySelectorAll('form.lookup-form').forEach(setup);
}());
