#!/usr/bin/env node
// Copies from OpenAI's OpenAPI spec (MIT, github.com/openai/openai-openapi) the schemas the
// conformance tests validate against, with every schema they reference, unchanged.
// Usage: node scripts/extract-openai-schemas.mjs [path/to/openapi.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOTS = [
  'CreateChatCompletionRequest', 'CreateChatCompletionResponse', 'CreateChatCompletionStreamResponse',
  'CreateCompletionRequest', 'CreateCompletionResponse', 'ErrorResponse', 'ListModelsResponse', 'Model',
  'CreateResponse', 'Response', 'ResponseStreamEvent', 'ResponseItemList',
];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = process.argv[2];
if (!source) {
  console.error('usage: node scripts/extract-openai-schemas.mjs path/to/openapi.json  (OpenAI\'s spec, github.com/openai/openai-openapi)');
  process.exit(1);
}
const spec = JSON.parse(readFileSync(source, 'utf8'));
const all = spec.components.schemas;

const picked = {};
const visit = (node) => {
  if (Array.isArray(node)) return node.forEach(visit);
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') pick(value.replace('#/components/schemas/', ''));
    else visit(value);
  }
};
const pick = (name) => {
  if (name in picked) return;
  if (!(name in all)) throw new Error(`${source} has no schema ${name}`);
  picked[name] = all[name];
  visit(all[name]);
};
ROOTS.forEach(pick);

const sorted = Object.fromEntries(Object.entries(picked).sort(([a], [b]) => a.localeCompare(b)));
const out = {
  '//': `From OpenAI's openapi.json (${spec.info.version}, MIT: see LICENSE-openai-openapi) by scripts/extract-openai-schemas.mjs.`,
  openapi: spec.openapi,
  components: { schemas: sorted },
};
writeFileSync(join(root, 'test', 'openai-schemas.json'), `${JSON.stringify(out, null, 1)}\n`);
console.log(`${Object.keys(sorted).length} schemas`);
