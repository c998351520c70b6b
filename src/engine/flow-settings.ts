// The engine's flow-control settings: how far generation runs ahead of a reader, how many requests
// may wait, and when a request counts as abandoned or stuck. (SSE keep-alives are createFetch's:
// src/http/keep-alive.ts.) docs/flow-control.md explains each; e2e/flow.spec.ts measures them.
import { ZStreamError } from '../shared/errors.js';

export interface FlowOptions {
  /**
   * Events the worker generates ahead of the reader, at most (≥ 1, default 32). An event is one
   * token's text, except where a character spans several tokens. The reader stopping stops generation.
   * A fast model (WASM, under a millisecond a token) hands over about a third of it per hop between
   * the threads without waiting for the page (docs/throughput.md); a paused reader still holds at most
   * 32 tokens' work.
   */
  runAhead?: number;
  /**
   * Requests waiting for the model besides the running ones, at most (default 64); more get 429 with a
   * `retry-after` estimated from the work ahead. Each choice of a request (`n`, several prompts) counts as one.
   */
  maxQueued?: number;
  /**
   * Requests that run at once, each with its own KV cache, taking turns one decode step at a time
   * (≥ 1, default 4; docs/scheduling.md). More wait in FIFO order. A backend that keeps one
   * conversation (WebLLM) runs one at a time whatever this says.
   */
  maxRunning?: number;
  /**
   * A running request whose reader has asked for nothing this long (ms) while another request waits
   * for a place is ended with `request_timeout`. Default: 2000 where requests cannot interleave
   * (WebLLM, or maxRunning 1 on it); off otherwise, where a paused reader holds up no one.
   */
  preemptIdleMs?: number;
  /**
   * Default for each request: once it runs, when nobody has asked for its next event for this long
   * (ms), it ends with `request_timeout` and lets go of the model. Default 300 000 (5 minutes); 0: no limit.
   */
  idleTimeoutMs?: number;
  /**
   * Default for each request: once it runs, when its reader has waited this long (ms) for the next
   * event, the worker is taken to be stuck: the request ends with `request_timeout`, and a worker that
   * does not let go of it within as long again is replaced. Default: no limit. An idle reader never
   * trips it (see idleTimeoutMs).
   */
  stallTimeoutMs?: number;
}

export type FlowSettings = Required<Omit<FlowOptions, 'stallTimeoutMs' | 'maxRunning' | 'preemptIdleMs'>> & {
  stallTimeoutMs: number | undefined;
  /** Undefined: the worker's default (worker/scheduler.ts). */
  maxRunning: number | undefined;
  preemptIdleMs: number | undefined;
};

export const FLOW_DEFAULTS = { runAhead: 32, maxQueued: 64, idleTimeoutMs: 300_000 } as const;

/** setTimeout's largest delay: beyond it, a timer fires at once (HTML: a 32-bit signed integer). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function checked(name: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ZStreamError('invalid_value', `${name} must be an integer from ${min} to ${max}; got ${String(value)}.`, { param: name });
  }
  return value;
}

/** A request's own limits (engine.chat, chatStream, generate options): checked as createEngine checks its defaults. */
export function checkRequestLimits(limits: { idleTimeoutMs?: number | undefined; stallTimeoutMs?: number | undefined }): void {
  checked('idleTimeoutMs', limits.idleTimeoutMs, 0, MAX_TIMER_MS);
  checked('stallTimeoutMs', limits.stallTimeoutMs, 1, MAX_TIMER_MS);
}

/** `prefixCacheBytes`: bytes, 0 for no prefix cache (NaN would remove the bound: every cache kept). */
export const checkCacheBytes = (bytes: number | undefined): number | undefined => checked('prefixCacheBytes', bytes, 0);

export function flowSettings(options: FlowOptions): FlowSettings {
  return {
    runAhead: checked('runAhead', options.runAhead, 1) ?? FLOW_DEFAULTS.runAhead,
    maxQueued: checked('maxQueued', options.maxQueued, 0) ?? FLOW_DEFAULTS.maxQueued,
    idleTimeoutMs: checked('idleTimeoutMs', options.idleTimeoutMs, 0, MAX_TIMER_MS) ?? FLOW_DEFAULTS.idleTimeoutMs,
    stallTimeoutMs: checked('stallTimeoutMs', options.stallTimeoutMs, 1, MAX_TIMER_MS),
    maxRunning: checked('maxRunning', options.maxRunning, 1),
    preemptIdleMs: checked('preemptIdleMs', options.preemptIdleMs, 1, MAX_TIMER_MS),
  };
}
