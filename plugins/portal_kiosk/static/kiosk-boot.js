/* On every page: in a tab that /kiosk/ has marked as a kiosk (sessionStorage), load kiosk mode
 * (kiosk.js); elsewhere it only reads one key. A file, not an inline script, so that the pages'
 * Content-Security-Policy allows no inline script at all. */
(function () {
  'use strict';
  var me = document.currentScript;
  try {
    if (!me || sessionStorage.getItem(me.getAttribute('data-key')) !== '1') return;
    var s = document.createElement('script');
    s.src = me.getAttribute('data-script');
    s.setAttribute('data-home', me.getAttribute('data-home'));
    s.setAttribute('data-idle', me.getAttribute('data-idle'));
    document.body.appendChild(s);
  } catch (e) { /* no sessionStorage: never a kiosk */ }
})();
