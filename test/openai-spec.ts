// Validators for OpenAI's own schemas (test/openai-schemas.json, copied from the official
// openapi.json), for the unit and e2e conformance tests. The spec says OpenAPI 3.1 but still uses
// 3.0's `nullable: true`, which JSON Schema does not know: it is rewritten to a null alternative.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{…, nullable: true}` becomes `{anyOf: [{…}, {type: 'null'}]}`, everywhere in the tree. */
export function normalizeNullable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeNullable);
  if (!isNode(value)) return value;
  const { nullable, ...rest } = value;
  const node = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, normalizeNullable(v)]));
  if (nullable !== true) return node;
  // `description`, `default` and the like stay outside, so a `$ref` beside them keeps its meaning.
  const { description, default: fallback, deprecated, ...schema } = node;
  const annotations = Object.fromEntries(Object.entries({ description, default: fallback, deprecated }).filter(([, v]) => v !== undefined));
  return { ...annotations, anyOf: [schema, { type: 'null' }] };
}

const file = new URL('./openai-schemas.json', import.meta.url);
const spec = normalizeNullable(JSON.parse(readFileSync(file, 'utf8'))) as { components: { schemas: Node } };

// strict: false, as the spec carries OpenAPI's own keywords (x-oaiMeta, discriminator, format: unixtime).
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ $id: 'openai', components: spec.components });

export type SchemaName =
  | 'CreateChatCompletionRequest'
  | 'CreateChatCompletionResponse'
  | 'CreateChatCompletionStreamResponse'
  | 'CreateCompletionRequest'
  | 'CreateCompletionResponse'
  | 'ErrorResponse'
  | 'ListModelsResponse'
  | 'Model'
  | 'CreateResponse'
  | 'Response'
  | 'ResponseStreamEvent'
  | 'ResponseItemList'
  | 'FunctionToolCall'
  | `Response${string}Event`;

const validators = new Map<string, ValidateFunction>();

function validator(name: SchemaName): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    validate = ajv.compile({ $ref: `openai#/components/schemas/${name}` });
    validators.set(name, validate);
  }
  return validate;
}

/** The schema's complaints about `value`, as readable lines; empty when it conforms. */
export function schemaErrors(name: SchemaName, value: unknown): string[] {
  const validate = validator(name);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${name}${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/**
 * A legacy completion chunk. The spec gives streamed and whole completions one schema, whose
 * `finish_reason` is not nullable; OpenAI's stream sends `finish_reason: null` until a choice
 * ends (as the chat chunks do), so that one field is checked apart.
 */
export function completionChunkErrors(chunk: unknown): string[] {
  if (!isNode(chunk) || !Array.isArray(chunk['choices'])) return schemaErrors('CreateCompletionResponse', chunk);
  const choices = chunk['choices'].map((c: unknown) => (isNode(c) && c['finish_reason'] === null ? { ...c, finish_reason: 'stop' } : c));
  return schemaErrors('CreateCompletionResponse', { ...chunk, choices });
}
