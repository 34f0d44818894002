// The query side, on index files built by the real Python code (lunr.py) and read by lunr.js.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const lunr = require(path.join(ROOT, 'node_modules', 'lunr'));
const V = require(path.join(ROOT, 'plugins', 'portal_search', 'static', 'vietnamese.js'));
const { create } = require(path.join(ROOT, 'plugins', 'portal_search', 'static', 'search-engine.js'));

const DATA = path.join(ROOT, 'tests', 'data', 'search');
const built = JSON.parse(execFileSync(
  path.join(ROOT, '.venv', 'bin', 'python'),
  [path.join(__dirname, 'helpers', 'build_search_index.py'), path.join(DATA, 'content'),
    path.join(DATA, 'queries.yaml'), path.join(DATA, 'queries-more.yaml')],
  { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }
));
const api = create(lunr, V);
const procedures = new api.Engine(built.procedures);
procedures.addPart(built.more);
const firstOnly = new api.Engine(built.procedures);
const other = new api.Engine(built.other);
const slugs = (q, options) => procedures.search(q, options).results.map((r) => r.doc[1]);

test('index files built by lunr.py load in lunr.js with the portal-vi search pipeline', () => {
  for (const file of [built.procedures, built.more, built.other]) {
    assert.deepEqual(file.index.pipeline, ['portal-vi']);
  }
  const ix = api.readIndex(built.procedures.index);
  assert.ok(ix.lunr instanceof lunr.Index);
  assert.equal(ix.lunr.pipeline._stack[0], V.pipelineFunction);
});

test('an index naming an unregistered pipeline function does not load', () => {
  const broken = { ...built.procedures.index, pipeline: ['lunr-vi-stemmer'] };
  assert.throws(() => api.readIndex(broken), /unregistered function/);
});

test('term weights rebuilt from the counts equal the ones lunr.py computed', () => {
  const full = api.lunrIndex(built.procedures.index);
  const terms = built.procedures.index.terms;
  let compared = 0;
  for (const [ref, weights] of Object.entries(built.lunr_py_weights)) {
    const elements = full.fieldVectors[ref].elements;
    const mine = {};
    for (let i = 0; i < elements.length; i += 2) mine[terms[elements[i]]] = elements[i + 1];
    assert.deepEqual(Object.keys(mine).sort(), Object.keys(weights).sort(), ref);
    for (const [term, w] of Object.entries(weights)) {
      assert.ok(Math.abs(mine[term] - w) <= 0.0011, `${ref} ${term}: ${mine[term]} vs ${w}`);
      compared++;
    }
  }
  assert.ok(compared > 100);
});

test("the engine's scores are lunr.js Index.query's scores for the same clauses", () => {
  const full = api.lunrIndex(built.procedures.index);
  const part = firstOnly.parts[0];
  for (const q of ['dang ky khai sinh', 'cần những giấy tờ gì để đăng ký khai sinh', 'giay phep lai x', 'so do']) {
    const words = api.analyse(q);
    const clauses = part.plan(words, true, false, words.map((w) => part.has(w.folded)));
    const scores = new Float64Array(built.procedures.docs.length);
    part.score(clauses, scores, new Int32Array(scores.length));
    const theirs = full.query((query) => clauses.forEach((c) => query.clause({ term: c.term, boost: c.boost, usePipeline: false })));
    assert.ok(theirs.length > 0, q);
    assert.equal(theirs.length, scores.filter((s) => s > 0).length, q);
    for (const r of theirs) assert.ok(Math.abs(r.score - scores[Number(r.ref)]) < 1e-9, `${q}: ${r.ref}`);
  }
});

test('every test query finds its procedure in the top 3 (engine only; the browser test is the gate)', () => {
  const misses = built.queries.filter(({ q, expect }) => {
    const rank = slugs(q).indexOf(expect);
    return rank < 0 || rank > 2;
  });
  assert.deepEqual(misses, []);
});

test('the first file alone already finds procedures by name', () => {
  assert.equal(firstOnly.search('Đăng ký khai sinh').results[0].doc[1], 'dang-ky-khai-sinh');
  assert.equal(firstOnly.search('CCCD').results[0].doc[1], 'cap-the-can-cuoc');
});

test('the plain procedure comes before near-identical ones', () => {
  for (const q of ['Đăng ký khai sinh', 'dang ky khai sinh', 'đăng kí khai sinh']) {
    assert.equal(slugs(q)[0], 'dang-ky-khai-sinh', q);
  }
});

test('an exact procedure code puts that procedure first', () => {
  assert.equal(slugs('BD-0012')[0], 'cap-the-can-cuoc');
  assert.equal(slugs('  bd-0012 ')[0], 'cap-the-can-cuoc');
  assert.equal(slugs('1.001193')[0], 'dang-ky-khai-sinh-luu-dong');
  assert.equal(slugs('mã 1.001193')[0], 'dang-ky-khai-sinh-luu-dong');
});

test('filler words of a whole question do not decide the ranking', () => {
  const words = api.analyse('cần những giấy tờ gì để đăng ký khai sinh');
  assert.deepEqual(words.filter((w) => w.filler).map((w) => w.text), ['cần', 'những', 'giấy', 'tờ', 'gì', 'để']);
  assert.equal(slugs('cần những giấy tờ gì để đăng ký khai sinh')[0], 'dang-ky-khai-sinh');
  // a query made only of filler words still searches with them
  assert.ok(api.analyse('giấy tờ').every((w) => !w.filler));
  // "căn" (căn cước) is not the filler "cần"; without diacritics "can cuoc" still works
  assert.ok(!api.analyse('căn cước').some((w) => w.filler));
  assert.equal(slugs('can cuoc')[0], 'cap-the-can-cuoc');
  // someone typing diacritics means "minh" (chứng minh), not the filler "mình"
  assert.ok(!api.analyse('chứng minh nhân dân').some((w) => w.filler));
});

test('the last word is matched as a prefix while typing, not after a space', () => {
  assert.equal(slugs('khai si')[0], 'dang-ky-khai-sinh');
  assert.equal(slugs('dang ky ket h')[0], 'dang-ky-ket-hon');
  assert.ok(procedures.search('ket h').results[0].terms.includes('ket_hon'));
  assert.ok(procedures.search('ket h ').results.every((r) => !r.terms.includes('ket_hon')));
});

test('a typo in one word of 4+ letters is forgiven (edit distance 1)', () => {
  assert.equal(slugs('dang ky thuogn tru')[0], 'dang-ky-thuong-tru');
  assert.equal(slugs('tro cap that nghep')[0], 'huong-tro-cap-that-nghiep');
});

test('accented queries rank exact diacritics first; folded queries find both', () => {
  assert.equal(slugs('đường')[0], 'cap-phep-thi-cong-duong-bo');
  assert.equal(slugs('dương')[0], 'khen-thuong-tuyen-duong');
  const folded = slugs('duong');
  assert.ok(folded.includes('cap-phep-thi-cong-duong-bo') && folded.includes('khen-thuong-tuyen-duong'));
});

test('synonyms from content/search/synonyms.yaml are applied at build time', () => {
  assert.equal(slugs('chứng minh nhân dân')[0], 'cap-the-can-cuoc');
  assert.equal(slugs('khai sanh')[0], 'dang-ky-khai-sinh');
  assert.ok(slugs('GPLX').slice(0, 2).includes('doi-giay-phep-lai-xe'));
});

test('abolished procedures and unpublished news are not in the indexes', () => {
  assert.ok(!built.procedures.docs.some((d) => d[1] === 'dang-ky-ket-hon-cu'));
  assert.ok(!built.other.docs.some((d) => d[1].includes('tin-chua-dang')));
  assert.equal(other.search('căn cước').results[0].doc[1], '/tin-tuc/cap-can-cuoc-tai-trung-tam/');
  assert.equal(other.search('thu dau mot').results[0].doc[1], '/dia-diem/chi-nhanh-thu-dau-mot/');
});

test('highlights mark the matched words of a title, not filler words', () => {
  const r = procedures.search('cần gì để đăng kí khai sinh');
  const title = r.results[0].doc[0];
  const marked = procedures.highlights(title, r.words, r.results[0].terms).map(([a, b]) => title.slice(a, b));
  assert.deepEqual(marked, ['Đăng', 'ký', 'khai', 'sinh']);
});

test('queries with markup, only punctuation, or nothing are harmless', () => {
  assert.deepEqual(procedures.search('').results, []);
  assert.deepEqual(procedures.search('  ?!… ').results, []);
  assert.doesNotThrow(() => procedures.search('<script>alert(1)</script> "><img src=x onerror=alert(1)>'));
  assert.doesNotThrow(() => procedures.search('a'.repeat(500) + ' ' + 'khai '.repeat(100)));
});

test("completions and near spellings are the terms lunr's token set finds", () => {
  // the engine answers them from the sorted terms; lunr.js from its token set (TokenSet.fromString
  // with a trailing wildcard, TokenSet.fromFuzzyString at edit distance 1). Near spellings are
  // only used for single words: word pairs aside.
  const words = new Set();
  for (const file of [built.procedures, built.more]) {
    for (const term of file.index.terms.filter((_, i) => i % 7 === 0)) {
      words.add(term);
      words.add(term.slice(0, Math.max(1, term.length - 2)));
      if (term.length >= 4) {
        words.add(term.slice(0, 1) + term.slice(2)); // a letter left out
        words.add(term.slice(0, 2) + 'x' + term.slice(3)); // a letter changed
        words.add(term[1] + term[0] + term.slice(2)); // neighbours swapped
        words.add(term + 'a'); // a letter added
      }
    }
  }
  words.add('zzzz');
  words.add('dang_k');
  let nonEmpty = 0;
  for (const part of procedures.parts) {
    const tokenSet = part.ix.lunr.tokenSet;
    for (const w of words) {
      const lunrPrefix = tokenSet.intersect(lunr.TokenSet.fromString(w + '*')).toArray().sort();
      assert.deepEqual(part.prefixed(w).sort(), lunrPrefix, `prefix ${w}`);
      const lunrNear = tokenSet.intersect(lunr.TokenSet.fromFuzzyString(w, 1)).toArray().sort();
      assert.deepEqual(part.near(w).filter((t) => !t.includes(V.PAIR_JOINER)).sort(),
        lunrNear.filter((t) => !t.includes(V.PAIR_JOINER)), `near ${w}`);
      if (lunrNear.length > 1) nonEmpty++;
    }
  }
  assert.ok(nonEmpty > 50);
});

// Whatever is typed or pasted, a query stays quick: its length, its words and its near spellings are
// capped. Each of these froze the tab before the caps (the timeout fails the test instead of hanging).
test('a 10,000-letter word, thousands of words and pasted text are answered', { timeout: 20000 }, () => {
  const long = 'khaisinh'.repeat(1250);
  for (const q of [long, 'đăng ký '.repeat(2000), long + ' khai sinh', 'ầ'.repeat(10000),
    Array.from({ length: 3000 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join(' ')]) {
    const found = procedures.search(q);
    assert.ok(Array.isArray(found.results));
    assert.ok(found.words.length <= api.limits.words);
    other.search(q);
  }
  assert.ok(api.analyse(long).every((w) => w.text.length <= api.limits.queryChars));
  // the query's first words still count: a long tail does not push them out
  assert.ok(slugs('dang ky khai sinh ' + long).includes('dang-ky-khai-sinh'));
});

test('near spellings are looked up for words of reasonable length only, and a bounded number', () => {
  assert.equal(api.limits.fuzzyLength, 30);
  const part = procedures.parts[0];
  assert.deepEqual(part.near('k'.repeat(31)), []);
  assert.ok(part.near('khai').length <= api.limits.near);
  // a typo is still found within the limits
  assert.ok(slugs('dang ky khai snh').includes('dang-ky-khai-sinh'));
});

test('life events are found when every word of the query is in their title or keywords', () => {
  const titles = (q) => procedures.topics(q).map((d) => d[0]);
  assert.deepEqual(titles('sinh con'), ['Khi sinh con']);
  assert.deepEqual(titles('mo quan an'), ['Khi mở quán ăn']);   // folded by JS, indexed folded by Python
  assert.deepEqual(titles('Mở quán ăn'), ['Khi mở quán ăn']);
  assert.deepEqual(titles('co em be'), ['Khi sinh con']);
  assert.deepEqual(titles('cần làm gì khi sinh con'), ['Khi sinh con']);  // filler words are not required
  assert.deepEqual(titles('sinh con thứ hai'), []);  // one word is not there: no match
  assert.deepEqual(titles('quán cà phê'), []);
  assert.deepEqual(titles('si'), []);  // whole words only
  assert.deepEqual(titles('   '), []);
  const [title, url, summary] = procedures.topics('sinh con')[0];
  assert.equal(url, '/su-kien/khi-sinh-con/');
  assert.equal(title, 'Khi sinh con');
  assert.match(summary, /khai sinh/);
});

test('life events do not change the procedure results or their ranking', () => {
  const { topics, ...withoutTopics } = built.procedures;
  assert.ok(topics.docs.length >= 2);
  const plain = new api.Engine(withoutTopics);
  plain.addPart(built.more);
  assert.deepEqual(plain.topics('sinh con'), []);
  for (const q of ['sinh con', 'mo quan an', 'khai sinh', 'đăng ký kinh doanh', 'co em be']) {
    assert.deepEqual(procedures.search(q).results.map((r) => [r.ref, r.score]),
      plain.search(q).results.map((r) => [r.ref, r.score]), q);
  }
});

// --- the split index (format 3): what a first search loads at national scale ---------------------
const split = built.split;
const fetched = [];
const fetchJSON = (url) => {
  fetched.push(url);
  if (!(url in split.files)) return Promise.reject(new Error(`no file ${url}`));
  return Promise.resolve(JSON.parse(split.files[url]));
};
const splitEngine = () => {
  const engine = new api.Engine(split.head, fetchJSON);
  engine.addPart();
  return engine;
};
const shown = (found) => found.results.map((r) => [r.ref, r.score, r.doc, r.terms]);
// every test query as it is typed (each prefix, then the whole query with a final space) and a few
// codes, near spellings, half-typed codes and pairs
const typed = [];
for (const { q } of built.queries) {
  for (let i = 1; i <= q.length; i++) typed.push(q.slice(0, i));
  typed.push(q + ' ');
}
typed.push('1.00', 'bd-', 'giay phep lai xee', 'dang ky kha', 'khai sinh cho');

test('the split index is in many small files: shards of terms, rows and field lengths', () => {
  const head = split.head;
  assert.equal(head.format, 3);
  assert.ok(head.parts[0].shards.hashes.length > 5 && head.parts[1].shards.hashes.length > 5);
  assert.ok(head.docs.hashes.length > 3);
  assert.ok(!('index' in head) && !Array.isArray(head.docs), 'the head has no postings and no rows');
  // the head lists the terms without digits and pairs, for completions and near spellings
  for (const w of head.parts[0].words) assert.ok(!/[0-9_]/.test(w), w);
});

// One difference, by design: the head lists no term with digits, so a word being typed without
// digits is not completed to codes ("bd" to "bd-0042": the whole index's 30 shortest codes); it
// finds the same procedures (every such code has the word as a part), ranked by the word itself.
function completesToCodes(q) {
  const words = api.analyse(q);
  const last = words[words.length - 1];
  return !/\s$/.test(q) && last && !/[0-9]/.test(last.folded) && last.folded.length >= 2 &&
    procedures.parts.some((p) => p.prefixed(last.folded).some((t) => /[0-9]/.test(t) && !t.includes('_')));
}

test('a split index gives the whole index\'s results, for every query as it is typed', async () => {
  const engine = splitEngine();  // one engine for all: what earlier queries loaded changes nothing
  let exceptions = 0;
  for (const q of typed) {
    await engine.need(q);
    if (completesToCodes(q)) {
      exceptions++;
      const refs = (found) => found.results.map((r) => r.ref).sort((a, b) => a - b);
      assert.deepEqual(refs(engine.search(q)), refs(procedures.search(q)), JSON.stringify(q));
      continue;
    }
    assert.deepEqual(shown(engine.search(q)), shown(procedures.search(q)), JSON.stringify(q));
  }
  assert.ok(exceptions < typed.length / 100, `${exceptions} queries completed to codes`);
});

test('each query on a fresh split index loads only some files, and gives the same results', async () => {
  const all = Object.keys(split.files).length;
  let most = 0;
  for (const q of ['dang ky khai sinh', 'giấy phép lái xe', '1.001193', 'so do', 'cap lai can cuoc ']) {
    const engine = splitEngine();
    fetched.length = 0;
    await engine.need(q);
    assert.deepEqual(shown(engine.search(q)), shown(procedures.search(q)), q);
    assert.ok(procedures.search(q).results.length > 0, q);
    most = Math.max(most, new Set(fetched).size);
  }
  assert.ok(most < all / 2, `a query loaded ${most} of ${all} files`);
});

test('the first part of a split index ranks as the first file alone did', async () => {
  for (const q of ['dang ky khai sinh', 'giay to tuy than', 'khai sinh']) {
    const engine = new api.Engine(split.head, fetchJSON);
    await engine.need(q);
    assert.deepEqual(shown(engine.search(q)), shown(firstOnly.search(q)), q);
  }
});

test('a split index that cannot load a file says so, and tries again later', async () => {
  const engine = new api.Engine(split.head, (url) => Promise.reject(new Error('offline ' + url)));
  await assert.rejects(engine.need('khai sinh'), /offline/);
  engine.fetchJSON = fetchJSON;
  engine.parts[0].ix.fetchJSON = fetchJSON;
  await engine.need('khai sinh');
  assert.deepEqual(shown(engine.search('khai sinh', { parts: 1 })), shown(firstOnly.search('khai sinh')));
});
