import { describe, expect, it } from 'vitest';
import { SAMPLING_RANGES, type SamplingParam } from './sampling-ranges.js';
import { schemaErrors, type SchemaName } from '../../test/openai-spec.js';

// Each bound against OpenAI's own schemas: the spec takes the bound and refuses a step past it.
const requests: [SchemaName, Record<string, unknown>, SamplingParam[]][] = [
  ['CreateChatCompletionRequest', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty']],
  ['CreateResponse', { model: 'm', input: 'hi' }, ['temperature', 'top_p']],
];

describe.each(requests)('SAMPLING_RANGES against %s', (schema, body, params) => {
  it.each(params)('%s', (param) => {
    const { min, max } = SAMPLING_RANGES[param];
    expect(schemaErrors(schema, { ...body, [param]: min })).toEqual([]);
    expect(schemaErrors(schema, { ...body, [param]: max })).toEqual([]);
    expect(schemaErrors(schema, { ...body, [param]: min - 0.01 })).not.toEqual([]);
    expect(schemaErrors(schema, { ...body, [param]: max + 0.01 })).not.toEqual([]);
  });
});
