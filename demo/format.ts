// Numbers and errors as a person reads them.
import { APIConnectionError, APIError } from 'openai';
import { ZStreamError } from '../src/index.js';

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${integer.format(bytes)} B`;
  if (bytes < 1024 ** 2) return `${integer.format(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${integer.format(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatCount(n: number): string {
  return integer.format(n);
}

const DEVICE_NAMES: Record<string, string> = { webgpu: 'WebGPU', wasm: 'WASM', remote: 'Remote server' };
export const deviceName = (device: string) => DEVICE_NAMES[device] ?? device;

/** What a person can do about an error, by its OpenAI code. */
const HINTS: Record<string, string> = {
  context_length_exceeded: 'Lower Max tokens in Settings, or clear the conversation.',
  model_not_found: 'Pick a model from the list.',
};

/** A title and the details for an error, from the SDK, the engine or anything else. */
export function describeError(error: unknown): { title: string; detail: string } {
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { title: 'Could not reach the endpoint', detail: `${error.message}${cause}` };
  }
  if (error instanceof APIError) {
    const body = error.error as { message?: string } | undefined;
    const code = typeof error.code === 'string' ? error.code : undefined;
    const hint = code && HINTS[code] ? ` ${HINTS[code]}` : '';
    const detail = `${body?.message ?? error.message}${hint}`;
    // With a status: an error response. Without: an error event in the middle of the stream.
    if (error.status !== undefined) return { title: `The endpoint answered ${error.status}${code ? ` (${code})` : ''}`, detail };
    return { title: `The answer ended with an error${code ? ` (${code})` : ''}`, detail };
  }
  if (error instanceof ZStreamError) {
    return { title: error.code === 'model_load_failed' ? 'The model could not be loaded' : `Error: ${error.code}`, detail: error.message };
  }
  if (error instanceof Error) return { title: 'Something went wrong', detail: `${error.name}: ${error.message}` };
  return { title: 'Something went wrong', detail: String(error) };
}
