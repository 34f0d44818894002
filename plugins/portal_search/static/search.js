/* Site search: results as you type on /tim-kiem/, and a drop-down under every other search box.
 * Small on purpose: lunr.js, the Vietnamese pipeline, the engine and the index load only when a
 * search box gets focus (or at once on /tim-kiem/). Without JavaScript every form still submits
 * to /tim-kiem/?q=, which lists all procedures A–Z. Every text goes into the page as text. */
(function () {
  'use strict';
  if (window.PortalSearch) return;

  var script = document.currentScript;
  var MANIFEST = (script && script.getAttribute('data-manifest')) || '/static/search/manifest.json';
  /* Where the other scripts and the index files are: every file is named by its bytes, and the
   * manifest (a fixed address, revalidated on each load) names them. /tim-kiem/ carries it in
   * the page (data-search-files), which spares that round trip. */
  var manifest = null;
  function urls() {
    if (!manifest) {
      var inline = document.querySelector('[data-search-files]');
      var given = null;
      try { given = inline ? JSON.parse(inline.getAttribute('data-search-files')) : null; } catch (e) { given = null; }
      manifest = given ? Promise.resolve(given)
        : fetch(MANIFEST, { credentials: 'same-origin', cache: 'no-cache' }).then(function (r) {
          if (!r.ok) throw new Error(MANIFEST + ': ' + r.status);
          return r.json();
        });
    }
    return manifest;
  }
  var TEXT = {
    loading: 'Đang tải dữ liệu tìm kiếm…',
    failed: 'Không tải được dữ liệu tìm kiếm. Hãy thử lại, hoặc xem danh sách thủ tục từ A đến Z.',
    found: function (n, q) { return 'Có ' + n + ' thủ tục phù hợp với “' + q + '”.'; },
    none: function (q) { return 'Không tìm thấy thủ tục nào phù hợp với “' + q + '”.'; },
    tryTitle: 'Bạn có thể thử:',
    tips: ['Kiểm tra lỗi chính tả, hoặc gõ ít từ hơn.',
      'Gõ tên giấy tờ bạn cần (ví dụ: giấy khai sinh) hoặc mã thủ tục.'],
    trySuggestions: 'Tìm: ',
    allProcedures: 'Xem tất cả thủ tục',
    code: 'Mã ',
    seeAll: function (q) { return 'Xem tất cả kết quả cho “' + q + '”'; },
    dropdownHint: function (n) { return n + ' gợi ý. Dùng phím mũi tên lên, xuống để chọn, Enter để mở.'; }
  };
  var DEBOUNCE_MS = 120;
  var DROPDOWN_LIMIT = 6;
  var DROPDOWN_TOPICS = 2;

  /* --- loading ------------------------------------------------------------------------- */
  var scripts = {};
  function loadScript(url) {
    if (!scripts[url]) {
      scripts[url] = new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = url;
        s.async = true;
        s.onload = resolve;
        s.onerror = function () { reject(new Error('không tải được ' + url)); };
        document.head.appendChild(s);
      });
    }
    return scripts[url];
  }
  function fetchJSON(url) {
    return fetch(url, { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error(url + ': ' + r.status);
      return r.json();
    });
  }
  var cssLoaded = false;
  function loadCss() {
    if (cssLoaded || document.querySelector('link[data-search-css]')) return;
    cssLoaded = true;
    urls().then(function (u) {
      var link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = u.css;
      link.setAttribute('data-search-css', '');
      document.head.appendChild(link);
    }, function () { cssLoaded = false; });
  }

  var engines = null;
  var completeReady = false;
  /* Started once, on first need: {procedures: Promise<Engine> (the head of the procedures'
   * split index: a query then loads only the shards of its terms and the rows it shows),
   * complete: Promise<Engine> (the same engine ranking with the index of what else identifies
   * a procedure), other: Promise<Engine> (news and offices)}. The head is fetched alone; the
   * second part and other.json once the first results are shown (on a phone, receiving and
   * reading them would delay the first results). */
  function load() {
    if (engines) return engines;
    var files = urls();
    var code = files.then(function (u) {
      return loadScript(u.code);  // lunr.js, the Vietnamese pipeline and the engine, joined by the build
    }).then(function () { return window.PortalSearchEngine.create(window.lunr, window.PortalVietnamese); });
    var head = files.then(function (u) { return fetchJSON(u.procedures); });
    var procedures = Promise.all([code, head]).then(function (r) { return new r[0].Engine(r[1], fetchJSON); });
    var release;
    var released = new Promise(function (resolve) { release = resolve; });
    var later = Promise.all([procedures, released]).then(function () {
      // a task later: after the first results are on the screen
      return new Promise(function (resolve) { setTimeout(resolve, 0); });
    }).then(function () { return files; });
    var complete = procedures.then(function (engine) {
      return later.then(function () {
        engine.addPart();
        completeReady = true;
        return engine;
      });
    });
    var other = Promise.all([code, later.then(function (u) { return fetchJSON(u.other); })])
      .then(function (r) { return new r[0].Engine(r[1]); });
    // release(): the first results are shown (or there are none to show): load the rest
    engines = { procedures: procedures, complete: complete, other: other, code: code, release: release };
    return engines;
  }

  /* --- rendering (text only: createElement and textContent, never HTML) -------------------- */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function highlighted(engine, text, words, terms) {
    var nfc = String(text).normalize('NFC');
    var spans = engine.highlights(nfc, words, terms);
    var out = [];
    var at = 0;
    spans.forEach(function (s) {
      if (s[0] > at) out.push(nfc.slice(at, s[0]));
      out.push(el('mark', {}, [nfc.slice(s[0], s[1])]));
      at = s[1];
    });
    if (at < nfc.length) out.push(nfc.slice(at));
    return out;
  }

  function procedureItem(engine, result, words) {
    var d = result.doc; // [title, slug, code, field index, online code, non-geographic]
    var data = engine.data;
    var url = data.url.replace('{slug}', encodeURIComponent(d[1]));
    var badges = [];
    var online = data.badges.online[d[4]];
    if (online) badges.push(el('span', { 'class': 'badge badge--' + online[0] }, [online[1]]));
    if (d[5]) badges.push(el('span', { 'class': 'badge badge--' + data.badges.anywhere[0] }, [data.badges.anywhere[1]]));
    return el('li', { 'class': 'search-result' }, [
      el('a', { href: url, 'class': 'search-result__title' }, highlighted(engine, d[0], words, result.terms)),
      el('p', { 'class': 'search-result__meta' }, [
        el('span', { 'class': 'search-result__code' }, [TEXT.code + d[2]]), ' · ',
        el('span', { 'class': 'search-result__field' }, [data.fields[d[3]] || ''])
      ]),
      badges.length ? el('p', { 'class': 'search-result__badges' }, badges) : null
    ]);
  }

  /* Life events whose names have every word of the query, in a block of their own above the
   * procedures; its heading comes with the index (procedures.json "topics"). */
  var topicsCount = 0;
  function topicsBlock() {
    var id = 'search-topics-h-' + (++topicsCount);
    var heading = el('h2', { id: id });
    var list = el('ul', { 'class': 'search-results search-results--topics' });
    var box = el('section', { 'class': 'search-topics', 'aria-labelledby': id, hidden: '' }, [heading, list]);
    return {
      node: box,
      show: function (engine, q) {
        var found = q ? engine.topics(q) : [];
        var words = found.length ? engine.analyse(q) : [];
        heading.textContent = (engine.data.topics || {}).label || '';
        replaceChildren(list, found.map(function (d) {
          return el('li', { 'class': 'search-result search-result--topic' }, [
            el('a', { href: d[1], 'class': 'search-result__title' }, highlighted(engine, d[0], words, topicTerms(words))),
            el('p', { 'class': 'search-result__meta' }, [d[2]])
          ]);
        }));
        box.hidden = !found.length;
      },
      hide: function () { box.hidden = true; }
    };
  }
  function topicTerms(words) { return words.map(function (w) { return w.folded; }); }

  function otherItem(engine, result, words) {
    var d = result.doc; // [title, url, kind index, date or address]
    var kind = (engine.data.kind_labels || [])[d[2]] || '';  // the labels come with the index (other.json)
    return el('li', { 'class': 'search-result search-result--other' }, [
      el('a', { href: d[1], 'class': 'search-result__title' }, highlighted(engine, d[0], words, result.terms)),
      el('p', { 'class': 'search-result__meta' }, [kind + (d[3] ? ' · ' + d[3] : '')])
    ]);
  }

  function replaceChildren(node, children) {
    while (node.firstChild) node.removeChild(node.firstChild);
    children.forEach(function (c) { node.appendChild(c); });
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  /* Arrow keys move between the input and the result links; Escape goes back to the input. */
  function arrowKeys(input, container, onEscape) {
    function links() { return Array.prototype.slice.call(container.querySelectorAll('a')); }
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') {
        var first = links()[0];
        if (first) { e.preventDefault(); first.focus(); }
      } else if (e.key === 'Escape' && onEscape) {
        onEscape();
      }
    });
    container.addEventListener('keydown', function (e) {
      var list = links();
      var i = list.indexOf(document.activeElement);
      if (i < 0) return;
      if (e.key === 'ArrowDown' && i + 1 < list.length) { e.preventDefault(); list[i + 1].focus(); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); (i > 0 ? list[i - 1] : input).focus(); }
      else if (e.key === 'Escape') { e.preventDefault(); input.focus(); if (onEscape) onEscape(); }
    });
  }

  /* --- the /tim-kiem/ page ----------------------------------------------------------------- */
  function searchPage(root) {
    var input = root.querySelector('input[name=q]');
    var form = input.form;
    var results = root.querySelector('[data-results]');
    var status = root.querySelector('[data-search-status]');
    var empty = root.querySelector('[data-search-empty]');
    var otherBox = root.querySelector('[data-search-other]');
    var otherList = root.querySelector('[data-results-other]');
    var topics = topicsBlock();
    status.parentNode.insertBefore(topics.node, status);
    // the A–Z list comes after the results in the page and may not be parsed yet
    function az() { return document.querySelector('[data-search-az]'); }
    var suggestions = [];
    try { suggestions = JSON.parse(root.getAttribute('data-suggestions') || '[]'); } catch (e) { suggestions = []; }
    var allProcedures = root.getAttribute('data-all-procedures');
    var shown = null;

    var initial = new URLSearchParams(window.location.search).get('q') || '';
    input.value = initial;
    var l = load();

    function showEmpty(q) {
      var items = suggestions.map(function (s) {
        return el('li', {}, [TEXT.trySuggestions, el('a', { href: '?q=' + encodeURIComponent(s) }, [s])]);
      });
      replaceChildren(empty, [
        el('p', {}, [TEXT.none(q)]),
        el('p', {}, [TEXT.tryTitle]),
        el('ul', {}, TEXT.tips.map(function (t) { return el('li', {}, [t]); }).concat(items))
      ].concat(allProcedures ? [el('p', {}, [el('a', { href: allProcedures }, [TEXT.allProcedures])])] : []));
      empty.hidden = false;
    }

    function render(q, final) {
      var query = q.trim() ? q : '';
      if (!final && query === shown) return;
      shown = query;
      if (az()) az().hidden = !!query;
      if (!query) {
        l.release();
        document.documentElement.classList.remove('search-has-query');
        replaceChildren(results, []);
        results.hidden = true;
        empty.hidden = true;
        otherBox.hidden = true;
        topics.hide();
        status.textContent = '';
        results.setAttribute('aria-busy', 'false');
        return;
      }
      results.hidden = false;
      document.documentElement.classList.add('search-has-query');
      // the first results rank with the first part of the index; the final ones with both
      function show(engine, done) {
        var options = done ? {} : { parts: 1 };
        return engine.need(q, options).then(function () { draw(engine, done, options); });
      }
      function draw(engine, done, options) {
        if (shown !== query) return;
        if (az()) az().hidden = true;
        var found = engine.search(q, options);
        topics.show(engine, q);
        // the final ranking replaces the first one: a result the visitor had moved to keeps the focus
        var focused = results.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
        replaceChildren(results, found.results.map(function (r) { return procedureItem(engine, r, found.words); }));
        if (focused && window.CSS && CSS.escape) {
          var again = results.querySelector('a[href="' + CSS.escape(focused) + '"]');
          if (again) again.focus();
        }
        results.setAttribute('data-query', query);
        results.setAttribute('aria-busy', done ? 'false' : 'true');
        if (!done) return;
        status.textContent = found.results.length ? TEXT.found(found.results.length, query.trim()) : '';
        if (found.results.length) empty.hidden = true; else showEmpty(query.trim());
      }
      function failed() {
        if (shown !== query) return;
        document.documentElement.classList.remove('search-has-query');
        results.setAttribute('aria-busy', 'false');
        status.textContent = TEXT.failed;
        if (az()) az().hidden = false;
      }
      results.setAttribute('aria-busy', 'true');
      // first results with the first part of the index, then the final ranking with both (once
      // the second part is in, only the final ranking: one search per query)
      var first = completeReady ? Promise.resolve() : l.procedures.then(function (engine) { return show(engine, false); });
      first.catch(function () {}).then(function () {
        l.release();
        return l.complete;
      }).then(function (engine) { return show(engine, true); }).catch(failed);
      l.other.then(function (engine) {
        if (shown !== query) return;
        var more = engine.search(q, { limit: 5 });
        replaceChildren(otherList, more.results.map(function (r) { return otherItem(engine, r, more.words); }));
        otherBox.hidden = !more.results.length;
      }, function () { otherBox.hidden = true; });
    }

    var later = debounce(function () { render(input.value, false); }, DEBOUNCE_MS);
    input.addEventListener('input', function () {
      var url = new URL(window.location.href);
      if (input.value.trim()) url.searchParams.set('q', input.value); else url.searchParams.delete('q');
      window.history.replaceState(null, '', url);
      later();
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var url = new URL(window.location.href);
      url.searchParams.set('q', input.value);
      window.history.replaceState(null, '', url);
      render(input.value, true);
    });
    arrowKeys(input, results);
    render(initial, true);
  }

  /* --- the drop-down under the header (and home page) search box --------------------------- */
  var dropdownCount = 0;
  function dropdown(input) {
    var form = input.form;
    var id = 'search-dropdown-' + (++dropdownCount);
    var box = el('div', { 'class': 'search-dropdown', id: id, hidden: '' });
    var list = el('ul', { 'class': 'search-dropdown__list' });
    var hint = el('p', { 'class': 'visually-hidden', 'aria-live': 'polite' });
    box.appendChild(list);
    form.appendChild(box);
    form.appendChild(hint);
    form.classList.add('search-dropdown-host');
    input.setAttribute('aria-controls', id);
    var current = '';

    var closed = 0;  // how many times it was closed: results that arrive after a close stay away
    function close() { box.hidden = true; closed++; }
    function show(q) {
      current = q;
      if (!q.trim()) { close(); hint.textContent = ''; return; }
      var l = load();
      var since = closed;
      l.procedures.then(function (engine) {
        return engine.need(q, { limit: DROPDOWN_LIMIT }).then(function () { return engine; });
      }).then(function (engine) {
        l.release();
        if (current !== q || closed !== since) return;
        // the final ranking of the same query does not redraw a list the visitor is moving in
        if (box.contains(document.activeElement) && list.getAttribute('data-query') === q) return;
        var found = engine.search(q, { limit: DROPDOWN_LIMIT });
        var label = (engine.data.topics || {}).label;
        var topicWords = engine.analyse(q);
        var items = engine.topics(q).slice(0, DROPDOWN_TOPICS).map(function (d) {
          return el('li', { 'class': 'search-dropdown__topic' }, [el('a', { href: d[1] }, [
            el('span', { 'class': 'search-dropdown__kind' }, [label + ': '])
          ].concat(highlighted(engine, d[0], topicWords, topicTerms(topicWords))))]);
        });
        items = items.concat(found.results.map(function (r) {
          var d = r.doc;
          return el('li', {}, [el('a', { href: engine.data.url.replace('{slug}', encodeURIComponent(d[1])) },
            highlighted(engine, d[0], found.words, r.terms))]);
        }));
        items.push(el('li', { 'class': 'search-dropdown__all' }, [
          el('a', { href: form.getAttribute('action') + '?q=' + encodeURIComponent(q.trim()) }, [TEXT.seeAll(q.trim())])
        ]));
        replaceChildren(list, items);
        list.setAttribute('data-query', q);
        box.hidden = false;
        hint.textContent = TEXT.dropdownHint(items.length - 1);
      }, function () { close(); });
    }
    var later = debounce(function () { show(input.value); }, DEBOUNCE_MS);
    input.addEventListener('focus', function () {
      loadCss();
      load().complete.then(function () { if (!box.hidden && current) show(current); }, function () {});
    });
    input.addEventListener('input', later);
    form.addEventListener('focusout', function (e) {
      if (!form.contains(e.relatedTarget)) close();
    });
    arrowKeys(input, box, close);
  }

  var pageStarted = false;
  function startPage() {
    var page = document.querySelector('[data-search-page]');
    if (page && !pageStarted && page.querySelector('[data-search-other]')) {
      pageStarted = true;
      searchPage(page);
    }
    return page;
  }

  function start() {
    var page = startPage();
    var boxes = document.querySelectorAll('form[role=search] input[name=q]');
    Array.prototype.forEach.call(boxes, function (input) {
      if (page && page.contains(input)) return;
      dropdown(input);
    });
  }

  window.PortalSearch = { load: load, urls: urls };
  // On /tim-kiem/ this script is also in the page, right after the results list and before the
  // long A–Z list: it starts loading at once and shows results before the list is parsed.
  if (script && script.hasAttribute('data-search-early')) {
    // Before the browser parses (and paints) the A–Z list: with a query in the address the list
    // is not shown, and the results have their room from the start, so nothing below them moves
    // when they arrive (layout shift on a phone). The class goes if the search cannot load.
    var early = document.querySelector('[data-search-page] [data-results]');
    if (early && (new URLSearchParams(window.location.search).get('q') || '').trim()) {
      document.documentElement.classList.add('search-has-query');
      early.hidden = false;
    }
    load().procedures.then(startPage, function () {});
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
