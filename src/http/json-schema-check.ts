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

/** Throws `invalid_request` with `param` for a malformed schema or a keyword that cannot be enforced. */
export function checkSchema(schema: unknown, what: string, param: string): void {
  const fail = (reason: string) => new ZStreamError('invalid_request', `Invalid schema for ${what}: ${reason}`, { param });
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'boolean') return;
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
    for (const key of SCHEMA) if (node[key] !== undefined) walk(node[key], `${path}/${key}`);
    for (const key of SCHEMA_MAPS) {
      const map = node[key];
      if (map === undefined) continue;
      if (!isObject(map)) throw fail(`In context=${path}, '${key}' must be an object.`);
      for (const [name, sub] of Object.entries(map)) walk(sub, `${path}/${key}/${name}`);
    }
    for (const key of SCHEMA_LISTS) {
      const list = node[key];
      if (list === undefined) continue;
      if (!Array.isArray(list)) throw fail(`In context=${path}, '${key}' must be an array.`);
      list.forEach((sub, i) => walk(sub, `${path}/${key}/${i}`));
    }
  };
  walk(schema, '#');
}

