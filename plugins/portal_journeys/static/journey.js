/* A journey page (/su-kien/<slug>/): each step opens and closes with a button, "Mở tất cả" opens
 * them all, and which steps are open lives in the address (?mo=1,3), so a shared or reloaded link
 * shows the same. A link to #buoc-N (from a procedure page) opens that step. Without this script
 * every step is open, as in print. */
(function () {
  'use strict';
  var list = document.querySelector('[data-journey-steps]');
  var toolbar = document.querySelector('[data-journey-toolbar]');
  if (!list || !toolbar) return;
  var TEXT = {
    openAll: 'Mở tất cả các bước',
    closeAll: 'Thu gọn tất cả các bước'
  };
  var PARAM = 'mo';
  var steps = Array.prototype.map.call(list.querySelectorAll(':scope > li[data-step]'), function (li) {
    var heading = li.querySelector('h2');
    var body = li.querySelector('.journey-steps__body');
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'journey-steps__toggle';
    button.setAttribute('aria-controls', body.id = li.id + '-noi-dung');
    while (heading.firstChild) button.appendChild(heading.firstChild);
    heading.appendChild(button);
    var step = { number: li.getAttribute('data-step'), li: li, body: body, button: button };
    button.addEventListener('click', function () {
      set(step, body.hidden);
      save();
    });
    return step;
  });

  var all = document.createElement('button');
  all.type = 'button';
  all.className = 'journey-toolbar__all';
  toolbar.appendChild(all);
  toolbar.hidden = false;
  all.addEventListener('click', function () {
    var open = !allOpen();
    steps.forEach(function (s) { set(s, open); });
    save();
  });

  function set(step, open) {
    step.body.hidden = !open;
    step.button.setAttribute('aria-expanded', open ? 'true' : 'false');
    step.li.classList.toggle('is-open', open);
    all.textContent = allOpen() ? TEXT.closeAll : TEXT.openAll;
    all.setAttribute('aria-expanded', allOpen() ? 'true' : 'false');
  }
  function allOpen() { return steps.every(function (s) { return !s.body.hidden; }); }

  function save() {
    var url = new URL(window.location.href);
    var open = steps.filter(function (s) { return !s.body.hidden; }).map(function (s) { return s.number; });
    if (open.length) url.searchParams.set(PARAM, open.join(',')); else url.searchParams.delete(PARAM);
    window.history.replaceState(window.history.state, '', url);
  }

  function fromHash() {
    var m = /^#buoc-(\d+)$/.exec(window.location.hash);
    var step = m && steps.filter(function (s) { return s.number === m[1]; })[0];
    if (step && step.body.hidden) { set(step, true); save(); }
  }

  var wanted = (new URLSearchParams(window.location.search).get(PARAM) || '').split(',');
  steps.forEach(function (s) { set(s, wanted.indexOf(s.number) >= 0); });
  fromHash();
  window.addEventListener('hashchange', fromHash);

  Array.prototype.forEach.call(document.querySelectorAll('.js-print'), function (b) {
    b.hidden = false;
    b.addEventListener('click', function () { window.print(); });
  });
})();
