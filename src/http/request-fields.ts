// Reading a request body field by field, with OpenAI's own errors: a wrong type is
// `invalid_type`, a value out of range has OpenAI's range codes (`decimal_above_max_value`, …),
// and every error names the field in `param`. Unknown extra fields are never looked at.
import { ZStreamError } from '../shared/errors.js';
import { clip, quoteJson } from './quote.js';

export type Json = Record<string, unknown>;

/** How OpenAI names a JSON value's type in its messages. */
const describe = (value: unknown): string =>
  value === null ? 'null'
    : Array.isArray(value) ? 'an array'
      : typeof value === 'number' ? (Number.isInteger(value) ? 'an integer' : 'a decimal')
        : typeof value === 'object' ? 'an object'
          : typeof value === 'string' ? 'a string'
            : typeof value === 'boolean' ? 'a boolean' : typeof value;

export const invalidType = (param: string, expected: string, value: unknown) =>
  new ZStreamError('invalid_type', `Invalid type for '${param}': expected ${expected}, but got ${describe(value)} instead.`, { param });

export const missing = (param: string) =>
  new ZStreamError('missing_required_parameter', `Missing required parameter: '${param}'.`, { param });

export const emptyArray = (param: string) =>
  new ZStreamError('empty_array', `Invalid '${param}': empty array. Expected an array with minimum length 1, but got an empty array instead.`, { param });

/** OpenAI's message for a value outside an enum: "Invalid value: 'x'. Supported values are: 'a', 'b', and 'c'." */
export function notOneOf(param: string, value: unknown, supported: readonly string[]): ZStreamError {
  const quoted = supported.map((s) => `'${s}'`);
  const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}` : quoted.join('');
  const shown = typeof value === 'string' ? `'${clip(value)}'` : quoteJson(value);
  return new ZStreamError('invalid_value', `Invalid value: ${shown}. Supported values are: ${list}.`, { param });
}

/** OpenAI's answer for a parameter this model cannot honour. */
export const unsupportedParameter = (param: string) =>
  new ZStreamError('unsupported_parameter', `Unsupported parameter: '${param}' is not supported with this model.`, { param });

export const unsupportedValue = (param: string, value: unknown) =>
  new ZStreamError(
    'unsupported_value',
    `Unsupported value: '${param}' does not support ${quoteJson(value)} with this model.`,
    { param },
  );

export async function readJsonBody(request: Request): Promise<Json> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw new ZStreamError(
      'invalid_json',
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP " +
        'library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
    );
  }
  if (!isObject(body)) throw invalidType('request body', 'an object', body);
  return body;
}

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field reader bound to one object: `param` is the path shown in errors (`stream_options.include_usage`). */
export class Fields {
  constructor(
    private readonly body: Json,
    private readonly prefix = '',
  ) {}

  keys(): string[] {
    return Object.keys(this.body);
  }

  param(key: string): string {
    return this.prefix + key;
  }

  /** The raw value; null counts as absent, as OpenAI treats every nullable optional field. */
  raw(key: string): unknown {
    const value = this.body[key];
    return value === null ? undefined : value;
  }

  integer(key: string, range: { min?: number; max?: number } = {}): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidType(this.param(key), 'an integer', value);
    return this.inRange(key, value, 'integer', range);
  }

  decimal(key: string, range: { min?: number; max?: number } = {}): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(this.param(key), 'a decimal', value);
    return this.inRange(key, value, 'decimal', range);
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value !== undefined && typeof value !== 'boolean') throw invalidType(this.param(key), 'a boolean', value);
    return value;
  }

  string(key: string): string | undefined {
    const value = this.raw(key);
    if (value !== undefined && typeof value !== 'string') throw invalidType(this.param(key), 'a string', value);
    return value;
  }

  object(key: string): Fields | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!isObject(value)) throw invalidType(this.param(key), 'an object', value);
    return new Fields(value, `${this.param(key)}.`);
  }

  array(key: string): unknown[] | undefined {
    const value = this.raw(key);
    if (value !== undefined && !Array.isArray(value)) throw invalidType(this.param(key), 'an array', value);
    return value;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    const match = values.find((v) => v === value);
    if (match === undefined) throw notOneOf(this.param(key), value, values);
    return match;
  }

  private inRange(key: string, value: number, kind: 'integer' | 'decimal', { min, max }: { min?: number; max?: number }): number {
    if (min !== undefined && value < min) {
      throw new ZStreamError(
        `${kind}_below_min_value`,
        `Invalid '${this.param(key)}': ${kind} below minimum value. Expected a value >= ${min}, but got ${value} instead.`,
        { param: this.param(key) },
      );
    }
    if (max !== undefined && value > max) {
      throw new ZStreamError(
        `${kind}_above_max_value`,
        `Invalid '${this.param(key)}': ${kind} above maximum value. Expected a value <= ${max}, but got ${value} instead.`,
        { param: this.param(key) },
      );
    }
    return value;
  }
}
