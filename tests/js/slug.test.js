// The portal's slug rule must give the file names Decap CMS gives with
// slug: {encoding: "ascii", clean_accents: true} (the browser editor). This composes Decap's steps
// (prepareSlug, then sanitizeSlug: diacritics.remove, the ASCII character filter, sanitize-filename,
// doubled and edge replacements removed) with the same libraries Decap uses, and checks the vectors
// that tests/test_text.py checks against portal_core.text.slugify.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const diacritics = require("diacritics");
const sanitizeFilename = require("sanitize-filename");

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "data", "slug-vectors.json"), "utf8")).vectors;

function decapSlug(title) {
  const replacement = "-";
  const prepared = title.trim().toLocaleLowerCase().replace(/[']/g, "").replace(/[.]/g, "-");
  const ascii = Array.from(diacritics.remove(prepared)).map((c) => (/[\w\-.~]/i.test(c) ? c : replacement)).join("");
  const sanitized = sanitizeFilename(ascii, { replacement });
  return sanitized.replace(/(?:-)+/g, replacement).replace(/^-/, "").replace(/-$/, "");
}

test("the slug vectors are Decap CMS's file names", () => {
  for (const [title, slug] of vectors) {
    assert.strictEqual(decapSlug(title), slug, `slug of ${JSON.stringify(title)}`);
  }
});
