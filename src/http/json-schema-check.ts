// Which JSON Schemas the engine can enforce. Decoding is constrained by xgrammar, which compiles
// the keywords below and silently ignores the rest: a keyword outside this list would give an
// answer that need not validate, so it is a 400 naming the keyword instead.
import { ZStreamError } from '../shared/errors.js';
import { isObject } from './request-fields.js';

const TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

/** Keywords whose value is one schema, a map of schemas, or a list of schemas. */
const SCHEMA = ['items', 'additionalProperties', 'propertyNames', 'additionalItems'];
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions'];
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const ENFORCED = [
  'type', 'enum', 'const', 'required', 'minLength', 'maxLength', 'pattern', 'format', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems', 'minProperties', 'maxProperties', '$ref',
];
/** Read by people, not by validation. */
const ANNOTATIONS = [
  'title', 'description', 'default', 'examples', '$schema', '$id', '$comment', 'deprecated', 'readOnly', 'writeOnly',
  'strict', 'name', 'nullable',
];
const KNOWN = new Set([...SCHEMA, ...SCHEMA_MAPS, ...SCHEMA_LISTS, ...ENFORCED, ...ANNOTATIONS]);

/** Keywords xgrammar reads as numbers; a string there aborts its compiler (WASM), taking the step down. */
const COUNTS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'];
const BOUNDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'];
const RANGES: Array<[string, string]> = [['minLength', 'maxLength'], ['minItems', 'maxItems'], ['minProperties', 'maxProperties'], ['minimum', 'maximum']];
/** Deeper than any schema people write; a recursive walk of 20,000 levels would overflow the stack. */
export const MAX_SCHEMA_DEPTH = 100;

/** The node a local `$ref` (`#`, `#/$defs/a`, any JSON pointer into the schema) points to, or undefined. */
function resolveRef(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

const isPattern = (pattern: unknown): boolean => {
  if (typeof pattern !== 'string') return false;
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
};

/** Throws `invalid_request` with `param` for a malformed schema or a keyword that cannot be enforced. */
export function checkSchema(schema: unknown, what: string, param: string): void {
  const fail = (reason: string) => new ZStreamError('invalid_request', `Invalid schema for ${what}: ${reason}`, { param });
  const walk = (node: unknown, path: string, depth: number): void => {
    if (typeof node === 'boolean') return;
    if (depth > MAX_SCHEMA_DEPTH) throw fail(`In context=${path}, schemas nest deeper than ${MAX_SCHEMA_DEPTH} levels.`);
    if (!isObject(node)) throw fail(`In context=${path}, schema must be a JSON Schema object or boolean.`);
    for (const key of Object.keys(node)) {
      if (!KNOWN.has(key)) throw fail(`In context=${path}, '${key}' is not permitted.`);
    }
    const type = node['type'];
    const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
    for (const t of types) if (typeof t !== 'string' || !TYPES.includes(t)) throw fail(`In context=${path}, ${JSON.stringify(t)} is not a valid type.`);
    const required = node['required'];
    if (required !== undefined && !(Array.isArray(required) && required.every((r) => typeof r === 'string'))) {
      throw fail(`In context=${path}, 'required' must be an array of strings.`);
    }
    checkValues(node, path);
    const ref = node['$ref'];
    if (ref !== undefined && (typeof ref !== 'string' || resolveRef(schema, ref) === undefined)) {
      throw fail(`In context=${path}, reference to component ${JSON.stringify(ref)} which was not found in the schema.`);
    }
    for (const key of SCHEMA) if (node[key] !== undefined) walk(node[key], `${path}/${key}`, depth + 1);
    for (const key of SCHEMA_MAPS) {
      const map = node[key];
      if (map === undefined) continue;
      if (!isObject(map)) throw fail(`In context=${path}, '${key}' must be an object.`);
      for (const [name, sub] of Object.entries(map)) walk(sub, `${path}/${key}/${name}`, depth + 1);
    }
    for (const key of SCHEMA_LISTS) {
      const list = node[key];
      if (list === undefined) continue;
      if (!Array.isArray(list)) throw fail(`In context=${path}, '${key}' must be an array.`);
      list.forEach((sub, i) => walk(sub, `${path}/${key}/${i}`, depth + 1));
    }
  };
  /** The values of the enforced keywords: what xgrammar would abort on (a string count, an empty enum). */
  const checkValues = (node: Record<string, unknown>, path: string): void => {
    for (const key of COUNTS) {
      const value = node[key];
      if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) throw fail(`In context=${path}, '${key}' must be a non-negative integer.`);
    }
    for (const key of BOUNDS) {
      const value = node[key];
      const boolean = key.startsWith('exclusive') && typeof value === 'boolean'; // JSON Schema draft 4's form
      if (value !== undefined && !boolean && !Number.isFinite(value)) throw fail(`In context=${path}, '${key}' must be a number.`);
    }
    for (const [low, high] of RANGES) {
      const [min, max] = [node[low], node[high]];
      if (typeof min === 'number' && typeof max === 'number' && min > max) throw fail(`In context=${path}, '${low}' is greater than '${high}'.`);
    }
    const values = node['enum'];
    if (values !== undefined && !(Array.isArray(values) && values.length > 0)) throw fail(`In context=${path}, 'enum' must be a non-empty array.`);
    if (node['pattern'] !== undefined && !isPattern(node['pattern'])) throw fail(`In context=${path}, ${JSON.stringify(node['pattern'])} is not a valid regular expression.`);
    if (node['format'] !== undefined && typeof node['format'] !== 'string') throw fail(`In context=${path}, 'format' must be a string.`);
  };
  walk(schema, '#', 0);
}
