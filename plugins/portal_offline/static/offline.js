/* On every page: registers the service worker (/sw.js), shows "Lưu để xem khi không có mạng" where
 * a page offers it, keeps more for a page that asks (the kiosk screen), and on the offline page
 * lists the pages kept. Without service workers (or JavaScript) pages are simply online pages. */
(function () {
  'use strict';
  var me = document.currentScript;
  if (!me || !('serviceWorker' in navigator) || !('caches' in window)) return;
  var PAGES = me.getAttribute('data-pages');
  var TEXT = {
    saved: 'Đã lưu: trang này mở được cả khi không có mạng.',
    failed: 'Chưa lưu được trang. Hãy thử lại khi có mạng.',
    none: 'Chưa có trang nào được lưu trên máy này.'
  };

  navigator.serviceWorker.register(me.getAttribute('data-worker'), { scope: '/' }).catch(function () {});

  function keep(urls, cacheName) {
    return caches.open(cacheName).then(function (cache) {
      return Promise.all(urls.map(function (u) { return cache.add(u).catch(function () {}); }));
    });
  }

  // the scripts and styles this page loaded (named by their bytes): kept with the page
  function ownFiles() {
    var urls = [];
    Array.prototype.forEach.call(document.querySelectorAll('script[src], link[rel=stylesheet][href]'), function (el) {
      var u = new URL(el.getAttribute('src') || el.getAttribute('href'), location.href);
      if (u.origin === location.origin && /\.[0-9a-f]{10}\./.test(u.pathname)) urls.push(u.pathname);
    });
    return keep(urls, me.getAttribute('data-assets'));
  }

  function ready() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-offline-save]'), function (button) {
      var status = document.querySelector('[data-offline-status]');
      button.hidden = false;
      button.addEventListener('click', function () {
        Promise.all([caches.open(PAGES).then(function (cache) { return cache.add(location.pathname); }), ownFiles()]).then(function () {
          if (status) status.textContent = TEXT.saved;
        }, function () {
          if (status) status.textContent = TEXT.failed;
        });
      });
    });

    // a page that asks for more (the kiosk screen): the search files and the pages it links to
    var main = document.querySelector('main[data-offline-keep]');
    if (main) {
      navigator.serviceWorker.ready.then(function () {
        var links = Array.prototype.map.call(main.querySelectorAll('a[href^="/"]'), function (a) {
          return a.getAttribute('href').split('#')[0];
        });
        var forms = Array.prototype.map.call(document.querySelectorAll('form[action^="/"]'), function (f) {
          return f.getAttribute('action');
        });
        var pages = links.concat(forms).filter(function (u, i, all) { return u && all.indexOf(u) === i; });
        pages.unshift(location.pathname);
        var manifest = '/static/search/manifest.json';
        return Promise.all([
          keep(pages, PAGES),
          ownFiles(),
          fetch(manifest, { cache: 'no-cache' }).then(function (r) { return r.ok ? r.json() : {}; }).then(function (m) {
            var files = Object.keys(m).filter(function (k) { return typeof m[k] === 'string'; }).map(function (k) { return m[k]; });
            // the split index's files (shards, rows) are listed in one more file
            var all = m.all ? fetch(m.all).then(function (r) { return r.ok ? r.json() : []; }) : Promise.resolve([]);
            return all.then(function (more) {
              return Promise.all([keep([manifest], me.getAttribute('data-data')),
                keep(files.concat(more), me.getAttribute('data-assets'))]);
            });
          })
        ]);
      }).then(function () {
        main.setAttribute('data-offline-kept', '');  // all kept (what a test or a kiosk check can wait for)
      }).catch(function () {});
    }

    // the offline page: the pages this device keeps, by their titles
    var list = document.querySelector('[data-offline-list]');
    if (list) {
      caches.open(PAGES).then(function (cache) { return cache.keys(); }).then(function (requests) {
        return Promise.all(requests.map(function (req) {
          return caches.match(req).then(function (res) { return res ? res.text() : ''; }).then(function (html) {
            var doc = new DOMParser().parseFromString(html, 'text/html');
            return { url: new URL(req.url).pathname, title: (doc.title || '').trim() };
          });
        }));
      }).then(function (pages) {
        pages = pages.filter(function (p) { return p.title && p.url !== location.pathname; });
        pages.sort(function (a, b) { return a.title.localeCompare(b.title, 'vi'); });
        list.textContent = '';
        if (!pages.length) {
          var empty = document.createElement('li');
          empty.textContent = TEXT.none;
          list.appendChild(empty);
        }
        pages.forEach(function (p) {
          var li = document.createElement('li');
          var a = document.createElement('a');
          a.href = p.url;
          a.textContent = p.title;
          li.appendChild(a);
          list.appendChild(li);
        });
      }).catch(function () {});
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
