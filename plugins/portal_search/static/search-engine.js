/* Search engine: loads the index files written by plugins/portal_search/search_index.py into
 * lunr.js and answers queries the way citizens type them. No DOM here (search.js renders).
 * Works in the browser (globalThis.PortalSearchEngine) and in Node (module.exports). */
(function (root) {
  'use strict';

  // Words of a whole question that say nothing about which procedure ("cần những giấy tờ gì để …").
  // They still count, with a small weight, so a query made only of them finds something.
  var FILLERS = [
    'cần', 'những', 'gì', 'để', 'muốn', 'tôi', 'em', 'mình', 'ạ', 'ơi', 'thì', 'là', 'có', 'không',
    'được', 'phải', 'nào', 'đâu', 'sao', 'hỏi', 'cách', 'làm', 'ở', 'tại', 'của', 'và', 'hoặc', 'với',
    'các', 'cho', 'khi', 'nếu', 'bị', 'đi', 'nộp', 'xin', 'gồm', 'giúp', 'nơi', 'mấy', 'thế', 'như',
    'bao', 'lâu', 'nhiêu', 'tiền', 'ngày', 'hướng dẫn', 'thủ tục', 'hồ sơ', 'giấy tờ', 'lệ phí',
    'chi phí', 'thời gian', 'cần thiết', 'ra sao', 'thế nào', 'như thế nào', 'làm sao', 'ở đâu',
    'bao lâu', 'bao nhiêu', 'mất bao lâu', 'cho hỏi', 'xin hỏi', 'thực hiện', 'online', 'trực tuyến'
  ];
  var FILLER_WEIGHT = 0.1;
  var PAIR_WEIGHT = 1.5;
  var EXPANSION_WEIGHT = 0.7; // completions or near spellings of a word the index does not have
  var KNOWN_EXPANSION_WEIGHT = 0.3; // completions of a word that is already a whole word
  var EXACT_BONUS = 1; // score × (1 + this × share of an accented query's words the title has exactly)
  var EXACT_RERANK = 50; // how many top results the exact-diacritics bonus looks at
  // Limits that keep every query quick whatever is typed or pasted (a 10,000-letter word froze the
  // tab: near spellings were tried for every position of it): the query's length, its words, the
  // length of a word looked up by near spelling, and how many near spellings are collected.
  var MAX_QUERY_CHARS = 200;
  var MAX_WORDS = 24;
  var MAX_EXPANSIONS = 30;
  var FUZZY_MIN_LENGTH = 4;
  var FUZZY_MAX_LENGTH = 30;
  var MAX_NEAR = 60;
  var FEW_RESULTS = 3;
  var KEEP_RATIO = 0.08; // drop results scoring under this share of the best one

  function create(lunr, V) {
    V.register(lunr);
    var MARKS = /[\u0300-\u036f]|đ/;
    var JOINER = V.PAIR_JOINER;

    var fillerPhrases = FILLERS.map(function (f) {
      return V.words(f).map(function (w) { return { exact: V.exact(w.text), folded: V.fold(w.text) }; });
    }).sort(function (a, b) { return b.length - a.length; });

    function hasMarks(text) { return MARKS.test(text.normalize('NFD')); }

    /* The words of a query with what the engine needs to know about each. */
    function analyse(query) {
      var words = V.words(String(query).slice(0, MAX_QUERY_CHARS)).slice(0, MAX_WORDS).map(function (w) {
        return {
          text: w.text, start: w.start, end: w.end, code: w.parts.length > 0,
          folded: V.fold(w.text), exact: V.exact(w.text), marked: hasMarks(w.text), filler: false
        };
      });
      // someone who types diacritics means "minh" when they leave them out, not "mình"
      var accented = words.some(function (w) { return w.marked; });
      for (var i = 0; i < words.length; i++) {
        for (var p = 0; p < fillerPhrases.length; p++) {
          var phrase = fillerPhrases[p];
          if (i + phrase.length > words.length) continue;
          var same = phrase.every(function (fw, j) {
            var w = words[i + j];
            return accented ? w.exact === fw.exact : w.folded === fw.folded;
          });
          if (same) {
            for (var j = 0; j < phrase.length; j++) words[i + j].filler = true;
            break;
          }
        }
      }
      if (words.every(function (w) { return w.filler; })) {
        words.forEach(function (w) { w.filler = false; });
      }
      return words;
    }

    /* Reads an index file (README.md: "Index files"). The weight of a term in a document's
     * field comes from the term counts by the formula of lunr's Builder (BM25, rounded to
     * 0.001); weights of all fields are summed per (term, document), which is what lunr's
     * Index.query adds up when every clause searches every field. */
    function readIndex(c) {
      var fields = c.fields;
      var n = c.documents;
      var nTerms = c.terms.length;
      var lengths = fields.map(function () { return new Float64Array(n); });
      var idf = new Float64Array(nTerms);
      var entries = 0;
      var t, k, j, f, ref, previous, count;
      for (t = 0; t < nTerms; t++) {
        var flat = c.postings[t];
        var withTerm = 0;
        for (k = 0; k < flat.length; k += 2 + count) {
          f = flat[k];
          count = flat[k + 1];
          ref = 0;
          previous = -1;
          for (j = 0; j < count; j++) {
            ref += flat[k + 2 + j];
            if (ref !== previous) { withTerm++; previous = ref; }
            lengths[f][ref]++;
          }
        }
        entries += withTerm;
        idf[t] = Math.log(1 + Math.abs((n - withTerm + 0.5) / (withTerm + 0.5)));
      }
      var norms = fields.map(function (name, f) {
        var total = 0;
        for (var d = 0; d < n; d++) total += lengths[f][d];
        var average = total / n;
        var out = new Float64Array(n);
        for (d = 0; d < n; d++) out[d] = c.k1 * (1 - c.b + c.b * (lengths[f][d] / average));
        return out;
      });
      var offsets = new Int32Array(nTerms + 1);
      var docs = new Int32Array(entries);
      var weights = new Float64Array(entries);
      var at = 0;
      for (t = 0; t < nTerms; t++) {
        offsets[t] = at;
        var flat2 = c.postings[t];
        for (k = 0; k < flat2.length; k += 2 + count) {
          f = flat2[k];
          count = flat2[k + 1];
          ref = 0;
          for (j = 0; j < count; j++) {
            ref += flat2[k + 2 + j];
            var tf = 1;
            while (j + 1 < count && flat2[k + 3 + j] === 0) { tf++; j++; }
            var score = idf[t] * ((c.k1 + 1) * tf) / (norms[f][ref] + tf) * c.boosts[f];
            docs[at] = ref;
            weights[at] = Math.round(score * 1000) / 1000;
            at++;
          }
        }
      }
      offsets[nTerms] = at;
      var termIndex = new Map();
      var letters = Object.create(null);
      for (t = 0; t < nTerms; t++) {
        var term = c.terms[t];
        termIndex.set(term, t);
        if (term.indexOf(JOINER) < 0) for (j = 0; j < term.length; j++) letters[term[j]] = true;
      }
      // lunr.js checks the pipeline (it throws for a function it does not know); its token set
      // is not built: a third of the time to the first result at 2,000 procedures, and the
      // sorted terms answer prefixes and near spellings alike (see Part.prototype.expand)
      lunr.Pipeline.load(c.pipeline);
      var ix = { n: n, terms: c.terms, termIndex: termIndex, letters: Object.keys(letters),
        offsets: offsets, docs: docs, weights: weights };
      var loaded = null;
      Object.defineProperty(ix, 'lunr', { get: function () {
        return loaded || (loaded = lunr.Index.load({
          version: c.version, fields: fields, fieldVectors: [], pipeline: c.pipeline,
          invertedIndex: c.terms.map(function (term, i) { return [term, { _index: i }]; })
        }));
      } });
      return ix;
    }

    /* The same file as a complete lunr.js index (field vectors and postings), for tests that
     * compare the engine's scores with lunr's own Index.query. */
    function lunrIndex(c) {
      var fields = c.fields;
      var n = c.documents;
      var invertedIndex = c.terms.map(function (term, i) {
        var posting = { _index: i };
        fields.forEach(function (f) { posting[f] = {}; });
        return [term, posting];
      });
      var perField = fields.map(function () { return new Array(n); });
      var lengths = fields.map(function () { return new Float64Array(n); });
      c.postings.forEach(function (flat, t) {
        for (var k = 0, count; k < flat.length; k += 2 + count) {
          var f = flat[k];
          count = flat[k + 1];
          for (var j = 0, ref = 0, previous = -1; j < count; j++) {
            ref += flat[k + 2 + j];
            var list = perField[f][ref] || (perField[f][ref] = []);
            if (ref !== previous) { invertedIndex[t][1][fields[f]][ref] = {}; list.push(t, 1); previous = ref; }
            else list[list.length - 1]++;
            lengths[f][ref]++;
          }
        }
      });
      var fieldVectors = [];
      fields.forEach(function (name, f) {
        var total = 0;
        for (var d = 0; d < n; d++) total += lengths[f][d];
        for (d = 0; d < n; d++) {
          var pairs = perField[f][d] || [];
          var elements = [];
          for (var e = 0; e < pairs.length; e += 2) {
            var posting = invertedIndex[pairs[e]][1];
            var withTerm = 0;
            fields.forEach(function (g) { withTerm += Object.keys(posting[g]).length; });
            var idf = Math.log(1 + Math.abs((n - withTerm + 0.5) / (withTerm + 0.5)));
            var tf = pairs[e + 1];
            var score = idf * ((c.k1 + 1) * tf) / (c.k1 * (1 - c.b + c.b * (lengths[f][d] / (total / n))) + tf) * c.boosts[f];
            elements.push(pairs[e], Math.round(score * 1000) / 1000);
          }
          fieldVectors.push([name + '/' + d, elements]);
        }
      });
      return lunr.Index.load({ version: c.version, fields: fields, fieldVectors: fieldVectors,
        invertedIndex: invertedIndex, pipeline: c.pipeline });
    }

    function Part(index) {
      this.ix = index;
    }
    Part.prototype.has = function (term) {
      return this.ix.termIndex.has(term);
    };
    /* The index terms starting with `prefix` (lunr: TokenSet.fromString(prefix + '*')): a range
     * of the terms, which are sorted in JavaScript string order. */
    Part.prototype.prefixed = function (prefix) {
      var terms = this.ix.terms;
      var lo = 0;
      var hi = terms.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (terms[mid] < prefix) lo = mid + 1; else hi = mid;
      }
      var out = [];
      for (var i = lo; i < terms.length && terms[i].lastIndexOf(prefix, 0) === 0; i++) out.push(terms[i]);
      return out;
    };
    /* The index terms at edit distance 1 from `word` — one letter left out, added, changed, or two
     * neighbours swapped (lunr: TokenSet.fromFuzzyString(word, 1)) — by trying every such
     * spelling with the letters the index's words use. */
    Part.prototype.near = function (word) {
      var has = this.ix.termIndex;
      var letters = this.ix.letters;
      var seen = Object.create(null);
      var out = [];
      if (word.length > FUZZY_MAX_LENGTH) return out;  // no word of the index is that long
      function test(t) { if (!seen[t]) { seen[t] = true; if (has.has(t)) out.push(t); } }
      for (var i = 0; i <= word.length && out.length < MAX_NEAR; i++) {
        var head = word.slice(0, i);
        if (i < word.length) test(head + word.slice(i + 1));
        if (i + 1 < word.length) test(head + word[i + 1] + word[i] + word.slice(i + 2));
        for (var k = 0; k < letters.length; k++) {
          test(head + letters[k] + word.slice(i));
          if (i < word.length) test(head + letters[k] + word.slice(i + 1));
        }
      }
      return out;
    };
    /* What a word may stand for: `kind` 'prefix' (completions) or 'near' (near spellings);
     * the shortest first, at most MAX_EXPANSIONS; adjacent-word pairs only if `keepPairs`. */
    Part.prototype.expand = function (kind, word, keepPairs) {
      var found = (kind === 'prefix' ? this.prefixed(word) : this.near(word)).filter(function (t) {
        return keepPairs || t.indexOf(JOINER) < 0;
      });
      found.sort(function (a, b) { return a.length - b.length || (a < b ? -1 : 1); });
      return found.slice(0, MAX_EXPANSIONS);
    };

    /* Terms to look for at one position: [{term, rel}], the word itself first (rel 1), then
     * completions of the word being typed, or near spellings of an unknown word. */
    Part.prototype.candidates = function (w, isLast, typing, fuzzyAll, known) {
      var self = this;
      var extra = [];
      if (isLast && typing && !w.filler && w.folded.length >= 2) {
        extra = this.expand('prefix', w.folded, false);
      }
      if (!extra.length && !w.filler && !w.code && w.folded.length >= FUZZY_MIN_LENGTH && (!known || fuzzyAll)) {
        extra = this.expand('near', w.folded, false);
      }
      extra = extra.filter(function (t) { return t !== w.folded; });
      // a word that is already a whole word of the index is less likely to be unfinished
      var rel = (known ? KNOWN_EXPANSION_WEIGHT : EXPANSION_WEIGHT) / Math.sqrt(Math.max(extra.length, 1));
      return [{ term: w.folded, rel: 1 }].concat(extra.map(function (t) { return { term: t, rel: rel }; }))
        .filter(function (c) { return self.has(c.term); });
    };

    /* Query clauses for the analysed words: {term, boost, covers: bit mask of word positions}.
     * Expansions share their word's weight (their weights' squares add up to at most its own)
     * so a short prefix with many completions does not outweigh the other words. */
    Part.prototype.plan = function (words, typing, fuzzyAll, known) {
      var self = this;
      var clauses = [];
      function add(term, boost, covers) {
        if (self.has(term)) clauses.push({ term: term, boost: boost, covers: covers });
      }
      var cands = words.map(function (w, i) {
        return self.candidates(w, i === words.length - 1, typing, fuzzyAll, known[i]);
      });
      words.forEach(function (w, i) {
        var base = w.filler ? FILLER_WEIGHT : 1;
        cands[i].forEach(function (c) { add(c.term, base * c.rel, 1 << i); });
      });
      for (var i = 0; i + 1 < words.length; i++) {
        var a = words[i];
        var b = words[i + 1];
        if (a.filler && b.filler) continue;
        var weight = PAIR_WEIGHT * (a.filler || b.filler ? 0.5 : 1);
        var both = (1 << i) | (1 << (i + 1));
        var seen = Object.create(null);
        cands[i].forEach(function (ca) {
          cands[i + 1].forEach(function (cb) {
            var term = ca.term + JOINER + cb.term;
            if (!seen[term]) { seen[term] = true; add(term, weight * ca.rel * cb.rel, both); }
          });
        });
        if (i + 1 === words.length - 1 && typing) {
          var prefixed = this.expand('prefix', a.folded + JOINER + b.folded, true)
            .filter(function (t) { return !seen[t]; });
          prefixed.forEach(function (t) { add(t, weight * EXPANSION_WEIGHT / Math.sqrt(prefixed.length), both); });
        }
      }
      return clauses;
    };

    /* lunr's score of every document for the clauses (each clause searching every field):
     * Σ over fields of (query vector · field vector) / |query vector|. Adds into `scores` and
     * ORs the positions each document matched into `covered`. */
    Part.prototype.score = function (clauses, scores, covered) {
      var ix = this.ix;
      var boost = new Map();
      clauses.forEach(function (c) { boost.set(c.term, (boost.get(c.term) || 0) + c.boost); });
      var magnitude = 0;
      boost.forEach(function (b) { magnitude += b * b; });
      magnitude = Math.sqrt(magnitude);
      if (!magnitude) return;
      boost.forEach(function (b, term) {
        var t = ix.termIndex.get(term);
        var q = b / magnitude;
        for (var e = ix.offsets[t], end = ix.offsets[t + 1]; e < end; e++) scores[ix.docs[e]] += q * ix.weights[e];
      });
      clauses.forEach(function (c) {
        var t = ix.termIndex.get(c.term);
        for (var e = ix.offsets[t], end = ix.offsets[t + 1]; e < end; e++) covered[ix.docs[e]] |= c.covers;
      });
    };

    /* Whether document `doc` has `term` (for highlighting). */
    Part.prototype.hasIn = function (term, doc) {
      var ix = this.ix;
      var t = ix.termIndex.get(term);
      if (t === undefined) return false;
      for (var e = ix.offsets[t], end = ix.offsets[t + 1]; e < end; e++) if (ix.docs[e] === doc) return true;
      return false;
    };

    /* A search over one kind of thing: the first index file, and more parts as they arrive. */
    function Engine(data) {
      this.data = data;
      this.parts = [new Part(readIndex(data.index))];
      this.codes = Object.create(null);
      this.titleWords = [];
      if (data.kind === 'procedures') {
        for (var i = 0; i < data.docs.length; i++) this.codes[V.normalise(data.docs[i][2])] = i;
      }
    }

    /* Adds procedures-more.json: later searches rank with it too. */
    Engine.prototype.addPart = function (more) {
      if (more.index.documents !== this.data.docs.length) throw new Error('index files of different builds');
      this.parts.push(new Part(readIndex(more.index)));
    };

    Engine.prototype.results = function (words, typing, fuzzyAll) {
      var n = this.data.docs.length;
      var scores = new Float64Array(n);
      var covered = new Int32Array(n);
      var known = words.map(function (w) {
        return this.parts.some(function (p) { return p.has(w.folded); });
      }, this);
      var plans = this.parts.map(function (part) {
        var clauses = part.plan(words, typing, fuzzyAll, known);
        part.score(clauses, scores, covered);
        return clauses;
      });
      // lunr scores each term on its own, so a result that has only some of the words (the
      // keyword "giấy chứng tử" for the query "giấy chứng sinh") could outscore one that has
      // them all in a less boosted field: scores are multiplied by the square of the share of
      // the query's words (fillers aside) that each result has.
      var wanted = 0;
      words.forEach(function (w, i) { if (!w.filler) wanted |= 1 << i; });
      var counted = bits(wanted);
      var list = [];
      for (var d = 0; d < n; d++) {
        if (!scores[d]) continue;
        var share = counted ? bits(covered[d] & wanted) / counted : 1;
        list.push({ ref: d, score: scores[d] * share * share });
      }
      list.plans = plans;
      return list.sort(byScore);
    };

    function bits(x) {
      var c = 0;
      for (; x; x &= x - 1) c++;
      return c;
    }

    function byScore(a, b) { return b.score - a.score || a.ref - b.ref; }

    /* An accented query prefers titles with the same diacritics ("đường" before "dương"). */
    Engine.prototype.preferExact = function (list, words) {
      var asked = words.filter(function (w) { return !w.filler; });
      if (!asked.some(function (w) { return w.marked; })) return list;
      var docs = this.data.docs;
      var cache = this.titleWords;
      list.slice(0, EXACT_RERANK).forEach(function (hit) {
        var ref = hit.ref;
        if (!cache[ref]) {
          cache[ref] = Object.create(null);
          V.exactWords(docs[ref][0]).forEach(function (e) { cache[ref][e] = true; });
        }
        var same = asked.filter(function (w) { return cache[ref][w.exact]; }).length;
        hit.score *= 1 + EXACT_BONUS * same / asked.length;
      });
      return list.sort(byScore);
    };

    /* Results in rank order: {words, results: [{ref, score, doc, terms}]}; terms are the matched
     * index terms (to highlight). `typing`: the last word may be unfinished (default: unless the
     * query ends with a space). */
    Engine.prototype.search = function (query, options) {
      options = options || {};
      var limit = options.limit || 20;
      var typing = options.typing !== undefined ? options.typing : !/\s$/.test(query);
      var words = analyse(query);
      if (!words.length) return { words: words, results: [] };
      var list = this.results(words, typing, false);
      if (list.length < FEW_RESULTS) list = this.results(words, typing, true);
      var plans = list.plans;
      list = this.preferExact(list, words);
      var pinned = this.codeMatch(query, words);
      if (pinned !== null) {
        list = list.filter(function (h) { return h.ref !== pinned; });
        list.unshift({ ref: pinned, score: Infinity });
      }
      var best = 0;
      list.forEach(function (h) { if (isFinite(h.score) && h.score > best) best = h.score; });
      var docs = this.data.docs;
      var parts = this.parts;
      return {
        words: words,
        results: list.filter(function (h) { return !isFinite(h.score) || h.score >= best * KEEP_RATIO; })
          .slice(0, limit)
          .map(function (h) {
            var terms = [];
            parts.forEach(function (part, p) {
              plans[p].forEach(function (c) { if (terms.indexOf(c.term) < 0 && part.hasIn(c.term, h.ref)) terms.push(c.term); });
            });
            return { ref: h.ref, score: h.score, doc: docs[h.ref], terms: terms };
          })
      };
    };

    /* Life events (procedures.json "topics") whose title or keywords have every word of the
     * query, diacritics folded (the search's filler words aside, unless the query is only
     * those): [title, url, summary] each, in the file's order. Whole words only, and no ranking:
     * the block shows what the citizen named, and the procedures' ranking is not touched. */
    Engine.prototype.topics = function (query) {
      var topics = this.data.topics;
      if (!topics || !topics.docs.length) return [];
      var words = analyse(query).filter(function (w) { return !w.filler; });
      if (!words.length) return [];
      if (!this.topicWords) {
        this.topicWords = topics.docs.map(function (d) {
          var set = Object.create(null);
          d[3].split(' ').forEach(function (w) { set[w] = true; });
          return set;
        });
      }
      var sets = this.topicWords;
      return topics.docs.filter(function (d, i) {
        return words.every(function (w) { return sets[i][w.folded]; });
      }).map(function (d) { return d.slice(0, 3); });
    };

    /* The procedure whose code is the whole query, or one of its words. */
    Engine.prototype.codeMatch = function (query, words) {
      var whole = V.normalise(query).trim();
      if (whole in this.codes) return this.codes[whole];
      for (var i = 0; i < words.length; i++) {
        if (words[i].text in this.codes) return this.codes[words[i].text];
      }
      return null;
    };

    /* Spans [start, end) of `text` (UTF-16 offsets in its NFC form) to highlight in a result:
     * its words that the result matched, except words only a filler asked for. */
    function highlights(text, words, terms) {
      var matched = Object.create(null);
      (terms || []).forEach(function (t) {
        t.split(JOINER).forEach(function (part) { matched[part] = true; });
      });
      var fillerOnly = Object.create(null);
      words.forEach(function (w) { if (w.filler) fillerOnly[w.folded] = true; });
      words.forEach(function (w) { if (!w.filler) delete fillerOnly[w.folded]; });
      var nfc = String(text).normalize('NFC');
      if (V.normalise(nfc).length !== nfc.length) return [];
      return V.words(nfc).filter(function (w) {
        var f = V.fold(w.text);
        return matched[f] && !fillerOnly[f];
      }).map(function (w) { return [w.start, w.end]; });
    }

    Engine.prototype.highlights = highlights;
    Engine.prototype.analyse = analyse;

    return { Engine: Engine, analyse: analyse, highlights: highlights, readIndex: readIndex, lunrIndex: lunrIndex,
      limits: { queryChars: MAX_QUERY_CHARS, words: MAX_WORDS, fuzzyLength: FUZZY_MAX_LENGTH, near: MAX_NEAR,
        expansions: MAX_EXPANSIONS } };
  }

  var api = { create: create, FILLERS: FILLERS };
  root.PortalSearchEngine = api;
  if (typeof module === 'object' && module.exports) module.exports = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
