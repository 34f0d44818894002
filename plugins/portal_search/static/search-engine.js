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
  var MAX_RANGE_SHARDS = 4; // completions of a word with digits or of a word pair: at most this many shards
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

    /* The field lengths of every document, counted from a compact index's postings. */
    function countLengths(c) {
      var lengths = c.fields.map(function () { return new Float64Array(c.documents); });
      c.postings.forEach(function (flat) {
        for (var k = 0, count; k < flat.length; k += 2 + count) {
          var f = flat[k];
          count = flat[k + 1];
          for (var j = 0, ref = 0; j < count; j++) {
            ref += flat[k + 2 + j];
            lengths[f][ref]++;
          }
        }
      });
      return lengths;
    }

    /* lunr's length normalisation of each document's field: k1 × (1 − b + b × length / average). */
    function makeNorms(lengths, n, b, k1) {
      return lengths.map(function (field) {
        var total = 0;
        for (var d = 0; d < n; d++) total += field[d];
        var average = total / n;
        var out = new Float64Array(n);
        for (d = 0; d < n; d++) out[d] = k1 * (1 - b + b * (field[d] / average));
        return out;
      });
    }

    /* How many (field, document) entries one term's postings have. */
    function entriesOf(flat) {
      var withTerm = 0;
      for (var k = 0, count; k < flat.length; k += 2 + count) {
        count = flat[k + 1];
        for (var j = 0, ref = 0, previous = -1; j < count; j++) {
          ref += flat[k + 2 + j];
          if (ref !== previous) { withTerm++; previous = ref; }
        }
      }
      return withTerm;
    }

    /* One term's weights in each (field, document) from its counts, by the formula of lunr's
     * Builder (BM25, rounded to 0.001), written into docs/weights from `at`; returns the end. */
    function weigh(flat, n, norms, c, docs, weights, at) {
      var withTerm = entriesOf(flat);
      var idf = Math.log(1 + Math.abs((n - withTerm + 0.5) / (withTerm + 0.5)));
      for (var k = 0, count; k < flat.length; k += 2 + count) {
        var f = flat[k];
        count = flat[k + 1];
        for (var j = 0, ref = 0; j < count; j++) {
          ref += flat[k + 2 + j];
          var tf = 1;
          while (j + 1 < count && flat[k + 3 + j] === 0) { tf++; j++; }
          var score = idf * ((c.k1 + 1) * tf) / (norms[f][ref] + tf) * c.boosts[f];
          docs[at] = ref;
          weights[at] = Math.round(score * 1000) / 1000;
          at++;
        }
      }
      return at;
    }

    /* The documents of one field in a term's postings. */
    function refsIn(flat, field) {
      var out = [];
      for (var k = 0, count; k < flat.length; k += 2 + count) {
        count = flat[k + 1];
        if (flat[k] !== field) continue;
        for (var j = 0, ref = 0; j < count; j++) {
          ref += flat[k + 2 + j];
          if (out[out.length - 1] !== ref) out.push(ref);
        }
      }
      return out;
    }

    /* The terms of a sorted list that start with `prefix`: one range, found by binary search. */
    function withPrefix(terms, prefix) {
      var lo = 0;
      var hi = terms.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (terms[mid] < prefix) lo = mid + 1; else hi = mid;
      }
      var out = [];
      for (var i = lo; i < terms.length && terms[i].lastIndexOf(prefix, 0) === 0; i++) out.push(terms[i]);
      return out;
    }

    /* Reads a whole index (README.md: "Index files"): every term's weights at once. Weights of
     * all fields are summed per (term, document) when scoring, which is what lunr's Index.query
     * adds up when every clause searches every field. */
    function readIndex(c) {
      var n = c.documents;
      var nTerms = c.terms.length;
      var norms = makeNorms(countLengths(c), n, c.b, c.k1);
      var entries = 0;
      var t;
      for (t = 0; t < nTerms; t++) entries += entriesOf(c.postings[t]);
      var offsets = new Int32Array(nTerms + 1);
      var docs = new Int32Array(entries);
      var weights = new Float64Array(entries);
      var at = 0;
      for (t = 0; t < nTerms; t++) {
        offsets[t] = at;
        at = weigh(c.postings[t], n, norms, c, docs, weights, at);
      }
      offsets[nTerms] = at;
      var termIndex = new Map();
      var letters = Object.create(null);
      for (t = 0; t < nTerms; t++) {
        var term = c.terms[t];
        termIndex.set(term, t);
        if (term.indexOf(JOINER) < 0) for (var j = 0; j < term.length; j++) letters[term[j]] = true;
      }
      // lunr.js checks the pipeline (it throws for a function it does not know); its token set
      // is not built: a third of the time to the first result at 2,000 procedures, and the
      // sorted terms answer prefixes and near spellings alike (see Part.prototype.expand)
      lunr.Pipeline.load(c.pipeline);
      var ix = {
        n: n, letters: Object.keys(letters),
        has: function (term) { return termIndex.has(term); },
        /* terms beginning with a prefix (lunr: TokenSet.fromString(prefix + '*')) */
        prefixed: function (prefix) { return withPrefix(c.terms, prefix); },
        /* {docs, weights} of a term, or null */
        postings: function (term) {
          var i = termIndex.get(term);
          if (i === undefined) return null;
          return { docs: docs.subarray(offsets[i], offsets[i + 1]), weights: weights.subarray(offsets[i], offsets[i + 1]) };
        },
        near: function (t) { return termIndex.has(t); }
      };
      var loaded = null;
      Object.defineProperty(ix, 'lunr', { get: function () {
        return loaded || (loaded = lunr.Index.load({
          version: c.version, fields: c.fields, fieldVectors: [], pipeline: c.pipeline,
          invertedIndex: c.terms.map(function (term, i) { return [term, { _index: i }]; })
        }));
      } });
      return ix;
    }

    function shardOnly(term) { return term.indexOf(JOINER) >= 0 || /[0-9]/.test(term); }

    /* The address of file `n` of a numbered set ({pattern, hashes} in a split index's head). */
    function numberedFile(files, n) {
      return files.pattern.replace('{n}', n).replace('{hash}', files.hashes[n]);
    }

    /* One part of a split index (format 3): the head's descriptor and a loader of its files.
     * Terms without digits are listed in the head (completions and near spellings are found
     * there); a term's postings, and terms with digits or adjacent-word pairs, come with its
     * shard. What a query may read is loaded by `load(...)` before it is scored (Engine.need),
     * so a query's results never depend on what earlier queries loaded. */
    function SplitIndex(d, fetchJSON) {
      lunr.Pipeline.load(d.pipeline);
      this.d = d;
      this.n = d.documents;
      this.fetchJSON = fetchJSON;
      this.words = d.words;
      this.wordSet = new Set(d.words);
      this.letters = Array.from(d.letters);
      this.shards = [];  // index → Promise of the shard, once asked for
      this.shardTerms = [];  // index → the loaded shard's sorted terms
      this.terms = new Map();  // term → postings (compact), of the loaded shards
      this.cache = new Map();  // term → {docs, weights}
      this.norms = null;
      this.lengths = null;
    }
    /* The shard that holds `term` (or would): the last one starting at or before it. */
    SplitIndex.prototype.shardOf = function (term) {
      var starts = this.d.starts;
      var lo = 0;
      var hi = starts.length - 1;
      while (lo < hi) {
        var mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= term) lo = mid; else hi = mid - 1;
      }
      return lo;
    };
    /* The shards of the terms beginning with `prefix` (at most MAX_RANGE_SHARDS). */
    SplitIndex.prototype.rangeOf = function (prefix) {
      var first = this.shardOf(prefix);
      var last = Math.min(this.shardOf(prefix + '\uffff'), first + MAX_RANGE_SHARDS - 1);
      var out = [];
      for (var i = first; i <= last; i++) out.push(i);
      return out;
    };
    /* Loads shards by number, and the field lengths: a Promise. */
    SplitIndex.prototype.load = function (numbers) {
      var self = this;
      if (!this.lengths) {
        // the field lengths: in the head (the first part) or in a file of their own
        var given = typeof this.d.lengths === 'string' ? null : { lengths: this.d.lengths };
        this.lengths = (given ? Promise.resolve(given) : this.fetchJSON(this.d.lengths)).then(function (file) {
          self.norms = makeNorms(file.lengths.map(function (l) { return Float64Array.from(l); }), self.n, self.d.b, self.d.k1);
        });
        this.lengths.catch(function () { self.lengths = null; });
      }
      var waits = [this.lengths];
      numbers.forEach(function (i) {
        if (!self.shards[i]) {
          var p = self.fetchJSON(numberedFile(self.d.shards, i)).then(function (file) {
            file.terms.forEach(function (t, k) { self.terms.set(t, file.postings[k]); });
            self.shardTerms[i] = file.terms;
          });
          p.catch(function () { self.shards[i] = null; });
          self.shards[i] = p;
        }
        waits.push(self.shards[i]);
      });
      return Promise.all(waits);
    };
    SplitIndex.prototype.has = function (term) {
      return shardOnly(term) ? this.terms.has(term) : this.wordSet.has(term);
    };
    /* Completions of a word with digits or of a pair come from the shards of the prefix's range
     * (consecutive, so their terms stay sorted). */
    SplitIndex.prototype.prefixed = function (prefix) {
      if (!shardOnly(prefix)) return withPrefix(this.words, prefix);
      var self = this;
      return [].concat.apply([], this.rangeOf(prefix).map(function (i) {
        return self.shardTerms[i] ? withPrefix(self.shardTerms[i], prefix) : [];
      }));
    };
    /* Near spellings with digits are looked for only in the shard of the word itself. */
    SplitIndex.prototype.near = function (t, word) {
      if (!shardOnly(t)) return this.wordSet.has(t);
      return this.shardOf(t) === this.shardOf(word) && this.terms.has(t);
    };
    SplitIndex.prototype.postings = function (term) {
      var hit = this.cache.get(term);
      if (hit) return hit;
      var flat = this.terms.get(term);
      if (!flat || !this.norms) return null;
      var size = entriesOf(flat);
      var docs = new Int32Array(size);
      var weights = new Float64Array(size);
      weigh(flat, this.n, this.norms, this.d, docs, weights, 0);
      hit = { docs: docs, weights: weights };
      this.cache.set(term, hit);
      return hit;
    };
    SplitIndex.prototype.refsIn = function (term, field) {
      var flat = this.terms.get(term);
      return flat ? refsIn(flat, this.d.fields.indexOf(field)) : [];
    };

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
      return this.ix.has(term);
    };
    /* The index terms starting with `prefix` (lunr: TokenSet.fromString(prefix + '*')): a range
     * of the terms, which are sorted in JavaScript string order. */
    Part.prototype.prefixed = function (prefix) {
      return this.ix.prefixed(prefix);
    };
    /* The index terms at edit distance 1 from `word` — one letter left out, added, changed, or two
     * neighbours swapped (lunr: TokenSet.fromFuzzyString(word, 1)) — by trying every such
     * spelling with the letters the index's words use. */
    Part.prototype.near = function (word) {
      var ix = this.ix;
      var letters = ix.letters;
      var seen = Object.create(null);
      var out = [];
      if (word.length > FUZZY_MAX_LENGTH) return out;  // no word of the index is that long
      function test(t) { if (!seen[t]) { seen[t] = true; if (ix.near(t, word)) out.push(t); } }
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
        var p = ix.postings(term);
        if (!p) return;
        var q = b / magnitude;
        for (var e = 0; e < p.docs.length; e++) scores[p.docs[e]] += q * p.weights[e];
      });
      clauses.forEach(function (c) {
        var p = ix.postings(c.term);
        if (!p) return;
        for (var e = 0; e < p.docs.length; e++) covered[p.docs[e]] |= c.covers;
      });
    };

    /* A search over one kind of thing. `data` is a whole index file (format 2: news and offices)
     * or the head of a split one (format 3: procedures), whose files `fetchJSON(url)` loads; a
     * query on a split index is prepared with `need(query, options)` (a Promise), then searched. */
    function Engine(data, fetchJSON) {
      this.data = data;
      this.split = data.format === 3;
      this.titleWords = [];
      this.codes = Object.create(null);
      if (this.split) {
        this.fetchJSON = fetchJSON;
        this.size = data.documents;
        this.chunks = [];
        this.parts = [new Part(new SplitIndex(data.parts[0], fetchJSON))];
      } else {
        this.size = data.docs.length;
        this.parts = [new Part(readIndex(data.index))];
        if (data.kind === 'procedures') {
          for (var i = 0; i < data.docs.length; i++) this.codes[V.normalise(data.docs[i][2])] = i;
        }
      }
    }

    /* Adds the second part (what else identifies a procedure): later searches rank with it too.
     * A whole index gives it as procedures-more.json; a split one has it in its head. */
    Engine.prototype.addPart = function (more) {
      if (this.split) {
        if (this.parts.length < this.data.parts.length) {
          this.parts.push(new Part(new SplitIndex(this.data.parts[this.parts.length], this.fetchJSON)));
        }
        return;
      }
      if (more.index.documents !== this.data.docs.length) throw new Error('index files of different builds');
      this.parts.push(new Part(readIndex(more.index)));
    };

    /* A result's display data: [title, slug, code, field, online, non-geographic]. */
    Engine.prototype.doc = function (ref) {
      if (!this.split) return this.data.docs[ref];
      var chunk = this.chunks[Math.floor(ref / this.data.chunk)];
      return chunk && chunk.docs ? chunk.docs[ref % this.data.chunk] : undefined;
    };

    Engine.prototype.loadDocs = function (refs) {
      var self = this;
      var waits = [];
      refs.forEach(function (ref) {
        var i = Math.floor(ref / self.data.chunk);
        if (!self.chunks[i]) {
          var p = self.fetchJSON(numberedFile(self.data.docs, i)).then(function (file) { p.docs = file.docs; });
          p.catch(function () { self.chunks[i] = null; });
          self.chunks[i] = p;
        }
        waits.push(self.chunks[i]);
      });
      return Promise.all(waits);
    };

    function memoKey(query, typing, nParts) { return [query, typing, nParts].join('\u0000'); }

    function unique(list) {
      return list.filter(function (x, i) { return list.indexOf(x) === i; });
    }

    /* Loads the shards of every term the parts' plans may read. */
    Engine.prototype.needPlans = function (parts, words, typing, fuzzyAll) {
      var known = words.map(function (w) { return parts.some(function (p) { return p.has(w.folded); }); });
      return Promise.all(parts.map(function (part) {
        var ix = part.ix;
        var cands = words.map(function (w, i) {
          return part.candidates(w, i === words.length - 1, typing, fuzzyAll, known[i]);
        });
        var wanted = [];
        cands.forEach(function (list) { list.forEach(function (c) { wanted.push(ix.shardOf(c.term)); }); });
        for (var i = 0; i + 1 < words.length; i++) {
          cands[i].forEach(function (ca) {
            cands[i + 1].forEach(function (cb) { wanted.push(ix.shardOf(ca.term + JOINER + cb.term)); });
          });
          if (i + 1 === words.length - 1 && typing) wanted = wanted.concat(ix.rangeOf(words[i].folded + JOINER + words[i + 1].folded));
        }
        return ix.load(unique(wanted));
      }));
    };

    /* Loads what search(query, options) reads from a split index; a Promise of the engine. */
    Engine.prototype.need = function (query, options) {
      var self = this;
      if (!this.split) return Promise.resolve(this);
      options = options || {};
      var parts = this.parts.slice(0, options.parts || this.parts.length);
      var limit = options.limit || 20;
      var typing = options.typing !== undefined ? options.typing : !/\s$/.test(query);
      var words = analyse(query);
      if (!words.length) return Promise.resolve(this);
      var codes = this.codeCandidates(query, words).filter(function (c) { return shardOnly(V.fold(c)); });
      var last = words[words.length - 1];
      // first, where the head cannot tell: whether a word with digits (or a code) is in the
      // index, and what it may complete to; words without digits need no such round trip
      var digits = codes.length || words.some(function (w) { return shardOnly(w.folded); });
      var known = !digits ? Promise.resolve() : Promise.all(parts.map(function (part, p) {
        var ix = part.ix;
        var wanted = words.map(function (w) { return ix.shardOf(w.folded); });
        if (typing && shardOnly(last.folded)) wanted = wanted.concat(ix.rangeOf(last.folded));
        if (p === 0) codes.forEach(function (c) { wanted.push(ix.shardOf(V.fold(c))); });
        return ix.load(unique(wanted));
      }));
      return known.then(function () {
        return self.needPlans(parts, words, typing, false);
      }).then(function () {
        var list = self.results(words, typing, false, parts.length);
        if (list.length >= FEW_RESULTS) return list;
        return self.needPlans(parts, words, typing, true).then(function () {
          return self.results(words, typing, true, parts.length);
        });
      }).then(function (list) {
        // search(query) ranks the same way with the same files: it takes this list
        self.memo = { key: memoKey(query, typing, parts.length), list: list };
        var accented = words.some(function (w) { return !w.filler && w.marked; });
        var refs = list.slice(0, accented ? Math.max(limit, EXACT_RERANK) : limit).map(function (h) { return h.ref; });
        codes.forEach(function (c) { refs = refs.concat(parts[0].ix.refsIn(V.fold(c), 'code')); });
        return self.loadDocs(unique(refs));
      }).then(function () { return self; });
    };

    Engine.prototype.results = function (words, typing, fuzzyAll, nParts) {
      var n = this.size;
      var parts = this.parts.slice(0, nParts || this.parts.length);
      var scores = new Float64Array(n);
      var covered = new Int32Array(n);
      var known = words.map(function (w) {
        return parts.some(function (p) { return p.has(w.folded); });
      });
      var plans = parts.map(function (part) {
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
      var self = this;
      var cache = this.titleWords;
      list.slice(0, EXACT_RERANK).forEach(function (hit) {
        var ref = hit.ref;
        if (!cache[ref]) {
          var doc = self.doc(ref);
          if (!doc) return;
          cache[ref] = Object.create(null);
          V.exactWords(doc[0]).forEach(function (e) { cache[ref][e] = true; });
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
      var nParts = options.parts || this.parts.length;
      var memo = this.memo;
      var list;
      if (memo && memo.key === memoKey(query, typing, nParts)) {
        // need(query) has just ranked it; preferExact changes scores: it gets copies
        list = memo.list.map(function (h) { return { ref: h.ref, score: h.score }; });
        list.plans = memo.list.plans;
      } else {
        list = this.results(words, typing, false, nParts);
        if (list.length < FEW_RESULTS) list = this.results(words, typing, true, nParts);
      }
      var plans = list.plans;
      list = this.preferExact(list, words);
      var pinned = this.codeMatch(query, words);
      if (pinned !== null) {
        list = list.filter(function (h) { return h.ref !== pinned; });
        list.unshift({ ref: pinned, score: Infinity });
      }
      var best = 0;
      list.forEach(function (h) { if (isFinite(h.score) && h.score > best) best = h.score; });
      var self = this;
      var parts = this.parts.slice(0, nParts);
      var top = list.filter(function (h) { return !isFinite(h.score) || h.score >= best * KEEP_RATIO; }).slice(0, limit);
      // the matched terms of each result shown (to highlight), in the plans' order: each term's
      // documents are read once, not once per result
      var matched = new Map(top.map(function (h) { return [h.ref, []]; }));
      parts.forEach(function (part, p) {
        plans[p].forEach(function (c) {
          var post = part.ix.postings(c.term);
          if (!post) return;
          for (var e = 0; e < post.docs.length; e++) {
            var terms = matched.get(post.docs[e]);
            if (terms && terms.indexOf(c.term) < 0) terms.push(c.term);
          }
        });
      });
      return {
        words: words,
        results: top.map(function (h) {
          return { ref: h.ref, score: h.score, doc: self.doc(h.ref), terms: matched.get(h.ref) };
        }).filter(function (r) { return r.doc; })  // a split index's rows not loaded (need() loads them)
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

    /* What a code may be asked as: the whole query, or one of its words. */
    Engine.prototype.codeCandidates = function (query, words) {
      return unique([V.normalise(query).trim()].concat(words.map(function (w) { return w.text; })))
        .filter(function (c) { return c && !/\s/.test(c); });
    };

    /* The procedure whose code is the whole query, or one of its words (of several with the same
     * code, the last). A split index finds it through the code field's postings. */
    Engine.prototype.codeMatch = function (query, words) {
      var self = this;
      var candidates = this.codeCandidates(query, words);
      for (var i = 0; i < candidates.length; i++) {
        var c = candidates[i];
        if (!this.split) {
          if (c in this.codes) return this.codes[c];
          continue;
        }
        var refs = this.parts[0].ix.refsIn(V.fold(c), 'code').filter(function (ref) {
          var doc = self.doc(ref);
          return doc && V.normalise(doc[2]) === c;
        });
        if (refs.length) return refs[refs.length - 1];
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
