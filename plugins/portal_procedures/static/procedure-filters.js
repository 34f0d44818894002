/* Filters on /thu-tuc/: field, level, online service, non-geographic. They combine, and their
   state lives in the address (?linh-vuc=ho-tich&cap=xa&truc-tuyen=co&phi-dia-gioi=1) so a
   filtered list can be shared and survives a reload.

   The results come from a short row per active procedure (the form's data-src, written by the
   build and loaded when a filter is first used) and are drawn STEP at a time, so that neither the
   page nor the work grows with the catalogue. Without JavaScript the page shows the fields (and
   every procedure while the catalogue is short); each field, level and view has pages of its own.
   Titles are put in the page as text, never as markup. */
(function () {
  'use strict';
  var form = document.getElementById('procedure-filters');
  if (!form || !window.URLSearchParams || !window.fetch || !window.history || !history.replaceState) return;
  var STEP = 100;
  var status = document.getElementById('procedure-filter-status');
  var empty = document.getElementById('procedure-filter-empty');
  var box = document.getElementById('procedure-groups');
  var field = form.elements['linh-vuc'];
  var level = form.elements['cap'];
  var online = form.elements['truc-tuyen'];
  var anywhere = form.elements['phi-dia-gioi'];
  var original = null; // the page's own list, set aside while results are shown
  var loading = null;
  var limit = STEP;

  function hasOption(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) return true;
    }
    return false;
  }

  function readAddress() {
    var q = new URLSearchParams(window.location.search);
    [field, level, online].forEach(function (select) {
      var v = q.get(select.name) || '';
      select.value = hasOption(select, v) ? v : '';
    });
    anywhere.checked = q.get(anywhere.name) === '1';
  }

  function writeAddress() {
    var q = new URLSearchParams(window.location.search);
    [field, level, online].forEach(function (select) {
      if (select.value) q.set(select.name, select.value); else q.delete(select.name);
    });
    if (anywhere.checked) q.set(anywhere.name, '1'); else q.delete(anywhere.name);
    var s = q.toString();
    history.replaceState(history.state, '', window.location.pathname + (s ? '?' + s : '') + window.location.hash);
  }

  function load() {
    if (!loading) {
      loading = fetch(form.getAttribute('data-src'), { credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      });
      loading.catch(function () { loading = null; }); // the next change tries again
    }
    return loading;
  }

  function filtering() {
    return Boolean(field.value || level.value || online.value || anywhere.checked);
  }

  /* rows: [title, url, field index, levels separated by spaces, online, non-geographic 0/1] */
  function matcher(data) {
    var want = -1;
    if (field.value) {
      for (var i = 0; i < data.fields.length; i++) if (data.fields[i][0] === field.value) want = i;
    }
    return function (row) {
      if (field.value && row[2] !== want) return false;
      if (level.value && (' ' + row[3] + ' ').indexOf(' ' + level.value + ' ') < 0) return false;
      if (online.value === 'co' ? row[4] === 'khong' : online.value && row[4] !== online.value) return false;
      if (anywhere.checked && !row[5]) return false;
      return true;
    };
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function line(row, labels) {
    var li = el('li');
    var a = el('a', '', row[0]);
    a.href = row[1];
    li.appendChild(a);
    if (row[4] !== 'khong') {
      li.appendChild(document.createTextNode(' '));
      li.appendChild(el('span', 'tag tag--' + row[4], labels.online[row[4]] || row[4]));
    }
    if (row[5]) {
      li.appendChild(document.createTextNode(' '));
      li.appendChild(el('span', 'tag tag--anywhere', labels.anywhere));
    }
    return li;
  }

  /* The matching procedures, grouped by field as the page groups them, the first `limit` of them. */
  function results(data, hits) {
    var out = document.createDocumentFragment();
    var perField = {};
    hits.forEach(function (row) { perField[row[2]] = (perField[row[2]] || 0) + 1; });
    var list = null;
    var current = -1;
    hits.slice(0, limit).forEach(function (row) {
      if (row[2] !== current) {
        current = row[2];
        var f = data.fields[current];
        var section = el('section', 'proc-group');
        section.setAttribute('data-field', f[0]);
        section.setAttribute('aria-labelledby', 'lv-' + f[0]);
        var h = el('h2');
        h.id = 'lv-' + f[0];
        var link = el('a', '', f[1]);
        link.href = f[2];
        var n = el('span', '', String(perField[current]));
        n.setAttribute('data-count', '');
        var count = el('span', 'proc-group__count');
        count.append('(', n, ')');
        h.append(link, ' ', count);
        list = el('ul', 'proc-list');
        section.append(h, list);
        out.appendChild(section);
      }
      list.appendChild(line(row, data.labels));
    });
    if (hits.length > limit) {
      var more = el('button', 'button--secondary', 'Xem thêm ' + Math.min(STEP, hits.length - limit) + ' thủ tục');
      more.type = 'button';
      more.setAttribute('data-more', '');
      out.appendChild(more);
    }
    return out;
  }

  function show(data) {
    if (!filtering()) return restore();
    var hits = data.items.filter(matcher(data));
    if (!original) {
      original = document.createDocumentFragment();
      while (box.firstChild) original.appendChild(box.firstChild);
    } else {
      box.textContent = '';
    }
    box.appendChild(results(data, hits));
    var total = data.items.length;
    status.textContent = hits.length + ' trong ' + total + ' thủ tục khớp với bộ lọc.' +
      (hits.length > limit ? ' Đang hiện ' + limit + ' thủ tục đầu.' : '');
    empty.hidden = hits.length > 0;
    box.setAttribute('aria-busy', 'false');
  }

  function restore() {
    if (original) {
      box.textContent = '';
      box.appendChild(original);
      original = null;
    }
    status.textContent = '';
    empty.hidden = true;
    box.setAttribute('aria-busy', 'false');
  }

  function apply() {
    if (!filtering()) return restore();
    box.setAttribute('aria-busy', 'true');
    load().then(show, function () {
      status.textContent = 'Chưa tải được danh sách để lọc. Hãy thử lại, hoặc chọn một lĩnh vực trong danh sách.';
      box.setAttribute('aria-busy', 'false');
    });
  }

  function update() {
    limit = STEP;
    apply();
    writeAddress();
  }

  box.addEventListener('click', function (e) {
    var more = e.target.closest && e.target.closest('[data-more]');
    if (!more) return;
    var first = limit;
    limit += STEP;
    load().then(function (data) {
      show(data);
      // keyboard users go on from the first procedure that was added
      var links = box.querySelectorAll('.proc-list a');
      if (links[first]) links[first].focus();
    });
  });
  form.hidden = false;
  box.setAttribute('aria-busy', 'false');
  form.addEventListener('change', update);
  form.addEventListener('submit', function (e) { e.preventDefault(); update(); });
  form.addEventListener('reset', function () { window.setTimeout(update, 0); });
  window.addEventListener('pageshow', function (e) { if (e.persisted) { readAddress(); apply(); } });
  readAddress();
  apply();
})();
