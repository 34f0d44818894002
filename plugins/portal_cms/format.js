#!/usr/bin/env node
// Writes content files exactly as the browser editor (Decap CMS) writes them, so that saving an
// entry unchanged changes nothing and an edit's diff shows only the changed field.
//
// Decap serialises with the `yaml` package (v1, YAML 1.2) and, for Markdown, `gray-matter`; this
// script uses the same pinned packages the same way (decap-cms-core/src/formats/yaml.ts and
// frontmatter.ts): top-level keys in the order of the collection's fields, the rest as found,
// block style, no comments, the body after the front matter unchanged.
//
// Input (stdin, JSON): [{"path": "...", "keys": ["code", "title", ...], "format": "frontmatter"|"yml"}]
// With --check, nothing is written: prints the paths whose text differs and exits 1 if any does.
'use strict';
const fs = require('fs');
const yaml = require('yaml');
const matter = require('gray-matter');

function sortKeys(sortedKeys) {
  return (a, b) => {
    const ia = sortedKeys.indexOf(a.key && a.key.toString());
    const ib = sortedKeys.indexOf(b.key && b.key.toString());
    if (ia === -1 || ib === -1) return 0;
    return ia - ib;
  };
}

function yamlToFile(data, keys) {
  const contents = yaml.createNode(data);
  contents.items.sort(sortKeys(keys));
  const doc = new yaml.Document();
  doc.contents = contents;
  return doc.toString();
}

function yamlFromFile(text) {
  const doc = yaml.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) throw new Error(doc.errors.map(e => e.message).join('\n'));
  return doc.toJSON();
}

const engines = {
  yaml: {
    parse: yamlFromFile,
    stringify: (meta, opts) => yamlToFile(meta, (opts && opts.sortedKeys) || []),
  },
};

function format(text, keys, kind) {
  if (kind === 'yml') return yamlToFile(yamlFromFile(text) || {}, keys);
  const parsed = matter(text, { engines, language: 'yaml', delimiters: '---' });
  const body = parsed.content.trim() ? parsed.content : '';
  const file = matter.stringify(body, parsed.data, { engines, sortedKeys: keys, language: 'yaml', delimiters: '---' });
  return body.slice(-1) !== '\n' && file.slice(-1) === '\n' ? file.slice(0, -1) : file;
}

const check = process.argv.includes('--check');
const jobs = JSON.parse(fs.readFileSync(0, 'utf8'));
let differ = 0;
for (const job of jobs) {
  const text = fs.readFileSync(job.path, 'utf8');
  let out;
  try {
    out = format(text, job.keys, job.format);
  } catch (e) {
    console.error(`${job.path}: ${e.message}`);
    process.exitCode = 2;
    continue;
  }
  if (out === text) continue;
  differ++;
  if (check) console.log(job.path);
  else fs.writeFileSync(job.path, out);
}
if (check && differ) process.exitCode = process.exitCode || 1;
