/* How search reads Vietnamese: the same token pipeline as plugins/portal_search/vietnamese.py.
 * Both are checked against tests/data/search-vectors.json; change them together.
 * Works in the browser (globalThis.PortalVietnamese) and in Node (module.exports). */
(function (root) {
  'use strict';

  var LABEL = 'portal-vi';
  var PAIR_JOINER = '_';
  var CODE_JOINERS = '.-/';
  var TONE_LETTERS = { '\u0300': 'f', '\u0301': 's', '\u0309': 'r', '\u0303': 'x', '\u0323': 'j' };
  var FINAL_Y = /^(?:b|c|ch|d|đ|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)?y$/;
  var WORD_CHAR = /^[\p{L}\p{M}\p{N}]$/u;
  var NONSPACING_MARKS = /\p{Mn}/gu;
  var TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;
  var ASCII_DIGIT = /[0-9]/;

  function normalise(text) {
    return String(text).normalize('NFC').toLowerCase().replace(/ð/g, 'đ');
  }

  function isWordChar(ch) {
    return WORD_CHAR.test(ch);
  }

  function finalYToI(syllable) {
    return FINAL_Y.test(syllable) ? syllable.slice(0, -1) + 'i' : syllable;
  }

  function fold(word) {
    var bare = word.normalize('NFD').replace(NONSPACING_MARKS, '').normalize('NFC').replace(/đ/g, 'd');
    return finalYToI(bare);
  }

  function exact(word) {
    var decomposed = word.normalize('NFD');
    var tones = '';
    for (var i = 0; i < decomposed.length; i++) {
      if (TONE_LETTERS[decomposed[i]]) tones += TONE_LETTERS[decomposed[i]];
    }
    return finalYToI(decomposed.replace(TONE_MARKS, '').normalize('NFC')) + tones;
  }

  /* Word positions are UTF-16 offsets into normalise(text); every Vietnamese letter is one unit. */
  function words(text) {
    var s = normalise(text);
    var chars = Array.from(s);
    var out = [];
    var i = 0;
    var n = chars.length;
    // offsets in code points (as Python counts) and in UTF-16 units (as JavaScript slices)
    var unit = new Array(n + 1);
    unit[0] = 0;
    for (var c = 0; c < n; c++) unit[c + 1] = unit[c] + chars[c].length;
    function slice(a, b) { return chars.slice(a, b).join(''); }
    while (i < n) {
      if (!isWordChar(chars[i])) { i++; continue; }
      var chunks = [];
      var j = i;
      for (;;) {
        var k = j;
        while (k < n && isWordChar(chars[k])) k++;
        chunks.push([j, k]);
        if (k + 1 < n && CODE_JOINERS.indexOf(chars[k]) >= 0 && isWordChar(chars[k + 1])) {
          j = k + 1;
          continue;
        }
        break;
      }
      var end = chunks[chunks.length - 1][1];
      var whole = slice(i, end);
      if (chunks.length > 1 && ASCII_DIGIT.test(whole)) {
        var parts = [];
        chunks.forEach(function (ch) { if (ch[1] - ch[0] >= 2) parts.push(slice(ch[0], ch[1])); });
        out.push({ text: whole, start: unit[i], end: unit[end], parts: parts });
      } else {
        chunks.forEach(function (ch) {
          out.push({ text: slice(ch[0], ch[1]), start: unit[ch[0]], end: unit[ch[1]], parts: [] });
        });
      }
      i = end;
    }
    return out;
  }

  function tokens(text) {
    var ws = words(text);
    var out = [];
    var folded = [];
    ws.forEach(function (w) {
      var f = fold(w.text);
      folded.push(f);
      out.push(f);
      w.parts.forEach(function (p) { out.push(fold(p)); });
    });
    for (var i = 0; i + 1 < folded.length; i++) out.push(folded[i] + PAIR_JOINER + folded[i + 1]);
    return out;
  }

  function exactWords(text) {
    return words(text).map(function (w) { return exact(w.text); });
  }

  /* lunr pipeline function: one token holding a whole text becomes the text's tokens. */
  function portalVi(token) {
    return tokens(token.toString()).map(function (t) {
      return token.clone(function () { return t; });
    });
  }

  function register(lunr) {
    if (lunr && lunr.Pipeline && lunr.Pipeline.registeredFunctions[LABEL] !== portalVi) {
      lunr.Pipeline.registerFunction(portalVi, LABEL);
    }
  }

  var api = {
    LABEL: LABEL,
    PAIR_JOINER: PAIR_JOINER,
    normalise: normalise,
    fold: fold,
    exact: exact,
    words: words,
    tokens: tokens,
    exactWords: exactWords,
    pipelineFunction: portalVi,
    register: register
  };

  if (root.lunr) register(root.lunr);
  root.PortalVietnamese = api;
  if (typeof module === 'object' && module.exports) module.exports = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
