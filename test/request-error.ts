// What a request parser answers for a body it refuses: the status and OpenAI's error object, as
// the shim would send them. A body it accepts fails the test.
import { ZStreamError } from '../src/shared/errors.js';

export function refusal(parse: (body: Record<string, unknown>) => unknown, body: Record<string, unknown>) {
  try {
    parse(body);
  } catch (error) {
    if (error instanceof ZStreamError) return { status: error.status, ...error.toJSON().error };
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(body)}`);
}
