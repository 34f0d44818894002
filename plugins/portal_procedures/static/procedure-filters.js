/* Instant filters on /thu-tuc/: field, level, online service, non-geographic. They combine, and
   their state lives in the address (?linh-vuc=ho-tich&cap=xa&truc-tuyen=co&phi-dia-gioi=1) so a
   filtered list can be shared and survives a reload. Without JavaScript the full list shows. */
(function () {
  'use strict';
  var form = document.getElementById('procedure-filters');
  if (!form || !window.URLSearchParams || !window.history || !history.replaceState) return;
  var status = document.getElementById('procedure-filter-status');
  var empty = document.getElementById('procedure-filter-empty');
  var groups = [].slice.call(document.querySelectorAll('#procedure-groups .proc-group'));
  var field = form.elements['linh-vuc'];
  var level = form.elements['cap'];
  var online = form.elements['truc-tuyen'];
  var anywhere = form.elements['phi-dia-gioi'];
  var total = document.querySelectorAll('#procedure-groups .proc-list > li').length;

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

  function matches(li) {
    if (level.value && (' ' + li.getAttribute('data-l') + ' ').indexOf(' ' + level.value + ' ') < 0) return false;
    var o = li.getAttribute('data-o');
    if (online.value === 'co' ? o === 'khong' : online.value && o !== online.value) return false;
    if (anywhere.checked && !li.hasAttribute('data-n')) return false;
    return true;
  }

  function apply() {
    var shown = 0;
    groups.forEach(function (group) {
      var n = 0;
      if (!field.value || group.getAttribute('data-field') === field.value) {
        var items = group.querySelectorAll('.proc-list > li');
        for (var i = 0; i < items.length; i++) {
          var ok = matches(items[i]);
          items[i].hidden = !ok;
          if (ok) n++;
        }
      }
      group.hidden = n === 0;
      group.querySelector('[data-count]').textContent = n;
      shown += n;
    });
    var filtered = field.value || level.value || online.value || anywhere.checked;
    status.textContent = filtered ? 'Đang hiện ' + shown + ' trong ' + total + ' thủ tục.' : '';
    empty.hidden = shown > 0;
  }

  function update() {
    apply();
    writeAddress();
  }

  form.hidden = false;
  form.addEventListener('change', update);
  form.addEventListener('submit', function (e) { e.preventDefault(); update(); });
  form.addEventListener('reset', function () { window.setTimeout(update, 0); });
  window.addEventListener('pageshow', function (e) { if (e.persisted) { readAddress(); apply(); } });
  readAddress();
  apply();
})();
