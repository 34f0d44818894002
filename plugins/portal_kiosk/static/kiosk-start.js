/* The /kiosk/ page: opening it marks this tab as a kiosk (kiosk-boot.js then loads kiosk mode on
 * every page); /kiosk/?thoat=1 ends kiosk mode and says so. */
(function () {
  'use strict';
  var me = document.currentScript;
  try {
    var key = me.getAttribute('data-key');
    if (/[?&]thoat=1(&|$)/.test(location.search)) {
      sessionStorage.removeItem(key);
      document.querySelector('[data-kiosk-exit]').hidden = false;
    } else {
      sessionStorage.setItem(key, '1');
    }
  } catch (e) { /* no sessionStorage (private mode): the kiosk screen stays a page of links */ }
})();
