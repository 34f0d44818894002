/* Kiosk mode, loaded only while /kiosk/ has marked this tab as a kiosk (sessionStorage): every page
 * gets a large "Về màn hình chính" button, and after data-idle seconds without touch, keys or
 * scrolling the screen returns to /kiosk/ with an empty search box, so the next citizen starts
 * fresh. On /kiosk/ itself the idle time empties the search box and scrolls back to the top. */
(function () {
  'use strict';
  var script = document.currentScript;
  var HOME = (script && script.getAttribute('data-home')) || '/kiosk/';
  var IDLE_MS = 1000 * (Number(script && script.getAttribute('data-idle')) || 90);
  var EVENTS = ['pointerdown', 'touchstart', 'keydown', 'wheel', 'scroll', 'input'];
  var onHome = document.body.hasAttribute('data-kiosk-home');
  var timer = null;

  function clearSearch() {
    var boxes = document.querySelectorAll('input[type=search], input[name=q]');
    Array.prototype.forEach.call(boxes, function (input) {
      if (input.value) {
        input.value = '';
        input.dispatchEvent(new Event('input', { bubbles: true })); // closes the suggestions
      }
    });
  }

  function startOver() {
    if (!onHome) {
      window.location.replace(HOME);
      return;
    }
    clearSearch();
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    window.scrollTo(0, 0);
    restart();
  }

  function restart() {
    window.clearTimeout(timer);
    timer = window.setTimeout(startOver, IDLE_MS);
  }

  document.documentElement.classList.add('kiosk-mode');
  if (!onHome) {
    var nav = document.createElement('nav');
    nav.className = 'kiosk-back';
    nav.setAttribute('aria-label', 'Màn hình tra cứu');
    var link = document.createElement('a');
    link.className = 'kiosk-back__link';
    link.href = HOME;
    link.textContent = 'Về màn hình chính';
    nav.appendChild(link);
    document.body.appendChild(nav);
  }
  EVENTS.forEach(function (type) {
    window.addEventListener(type, restart, { capture: true, passive: true });
  });
  // Back from the browser's page cache: the kiosk screen must not show the last citizen's search.
  window.addEventListener('pageshow', function () {
    if (onHome) clearSearch();
    restart();
  });
  if (onHome) clearSearch();
  restart();
})();
