// The Vietnamese search pipeline (JavaScript side) gives exactly the shared vectors, and lunr.js
// knows it under the same label as lunr.py, so an index built in Python loads here.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const lunr = require(path.join(ROOT, 'node_modules', 'lunr'));
const V = require(path.join(ROOT, 'plugins', 'portal_search', 'static', 'vietnamese.js'));
const { vectors } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'data', 'search-vectors.json'), 'utf8'));

for (const v of vectors) {
  test(`vector: ${v.note}`, () => {
    assert.deepEqual(V.tokens(v.input), v.tokens);
    assert.deepEqual(V.exactWords(v.input), v.exact);
  });
}

test('registered with lunr.js under the label lunr.py uses', () => {
  V.register(lunr);
  assert.equal(V.LABEL, 'portal-vi');
  const pipeline = lunr.Pipeline.load(['portal-vi']);
  for (const v of vectors) {
    assert.deepEqual(pipeline.runString(v.input), v.tokens);
  }
});

test('lunr.js default trimmer and stemmer would break Vietnamese (why they are not used)', () => {
  assert.equal(lunr.trimmer(new lunr.Token('đăng')).toString(), 'ng');
  assert.equal(lunr.stemmer(new lunr.Token('xây')).toString(), 'xâi');
  assert.deepEqual(V.tokens('đăng xây'), ['dang', 'xay', 'dang_xay']);
});

test('word positions point into the normalised text', () => {
  const text = 'Đăng ký khai sinh 1.001193';
  const norm = V.normalise(text);
  assert.deepEqual(V.words(text).map((w) => norm.slice(w.start, w.end)), ['đăng', 'ký', 'khai', 'sinh', '1.001193']);
});
