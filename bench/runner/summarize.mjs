// Raw records → medians, p95s and ratios to the floor, per device.
import { median, summarizeRuns, summary } from './stats.mjs';

const ok = (records) => records.filter((r) => !r.error);

/**
 * The engine's loads: the warm request with the first one's prefill (bench/page/loads.ts `sameShape`),
 * and per load the first request's TTFT minus it. `sameSplit`: every pair had as many prompt tokens
 * and as many from the prefix cache (null when no record says).
 */
function sameShape(records) {
  if (records.length === 0) return {};
  const pairs = records.filter((r) => r.first.deltas[0] !== undefined && r.sameShape.deltas[0] !== undefined);
  const split = (r) => (r.promptTokens === undefined ? null : `${r.promptTokens}/${r.cachedTokens}`);
  return {
    sameShapeTtftMs: summary(pairs.map((r) => r.sameShape.deltas[0])),
    firstOverSameShapeMs: summary(pairs.map((r) => r.first.deltas[0] - r.sameShape.deltas[0])),
    sameSplit: pairs.some((r) => split(r.first) === null) ? null : pairs.every((r) => split(r.first) === split(r.sameShape)),
    firstSplit: pairs.length ? split(pairs[0].first) : null,
  };
}

function summarizeLoads(loads) {
  const phase = (records) => ({
    loadMs: summary(ok(records).map((r) => r.loadMs)),
    pageToReadyMs: summary(ok(records).map((r) => r.pageToReadyMs)),
    firstTtftMs: summary(ok(records).map((r) => r.first.deltas[0]).filter((t) => t !== undefined)),
    secondTtftMs: summary(ok(records).map((r) => r.second.deltas[0]).filter((t) => t !== undefined)),
    ...sameShape(ok(records).filter((r) => r.sameShape)),
    firstLongTasks: ok(records).reduce((a, r) => a + (r.first.longTasks?.count ?? 0), 0),
    cacheEntries: median(ok(records).map((r) => r.cache.entries)),
    errors: records.length - ok(records).length,
  });
  return Object.fromEntries(Object.entries(loads).map(([what, p]) => [what, { cold: phase(p.cold), warm: phase(p.warm) }]));
}

const ZSTREAM_PATHS = ['floor', 'chatStream', 'sdk', 'responses', 'fetch', 'loop', 'transfer', 'pullById', 'firstInReply', 'batched'];

/**
 * The Responses API has no presence_penalty (CreateResponse in OpenAI's spec), so the `sampled`
 * workload's Responses request is not the others': its text is its own.
 */
const OWN_REQUEST = { sampled: ['responses'] };

function summarizeWorkload(byPath, workload) {
  // Every zstream path runs the same request with the same seed: the texts must agree.
  const same = ZSTREAM_PATHS.filter((p) => !OWN_REQUEST[workload]?.includes(p));
  const texts = new Set(same.flatMap((p) => ok(byPath[p] ?? []).map((r) => r.text)));
  const counted = ZSTREAM_PATHS.flatMap((p) => ok(byPath[p] ?? []).map((r) => r.tokens)).filter((t) => t !== null);
  // chatStream yields text only; with the same text it generated the same tokens.
  const fallback = texts.size === 1 ? median(counted) : null;
  const paths = Object.fromEntries(Object.entries(byPath).map(([p, runs]) => [p, summarizeRuns(runs, fallback)]));
  const ratio = (pick) => {
    const floor = paths.floor ? pick(paths.floor) : null;
    return Object.fromEntries(Object.entries(paths).map(([p, s]) => [p, floor && pick(s) ? pick(s) / floor : null]));
  };
  return {
    sameText: texts.size === 1,
    paths,
    ratiosToFloor: ratio((s) => s.tokensPerSecond.median),
    decodeRatiosToFloor: ratio((s) => s.decodeTokensPerSecond),
  };
}

function summarizeFlow(flow) {
  if (!flow) return null;
  const paused = ok(flow.pausedReader);
  const aborts = ok(flow.abort);
  const pauses = [...new Set(paused.map((r) => r.pauseMs))].sort((a, b) => a - b);
  return {
    aheadOfPausedReader: pauses.map((ms) => ({ pauseMs: ms, ...summary(paused.filter((r) => r.pauseMs === ms).map((r) => r.ahead)) })),
    stepsAfterAbort: summary(aborts.map((r) => r.stepsAfter)),
    abortToReleasedMs: summary(aborts.map((r) => r.releasedMs)),
    errors: [...flow.pausedReader, ...flow.abort].filter((r) => r.error).map((r) => r.error),
  };
}

/**
 * One model's conversations (records before the chat model existed ran on the embedded one). Per
 * turn: median TTFT over repetitions, per mode (the cache on, off, on with a pause between turns:
 * records before the pause have none); turns 1–3 against 8–10; same answers in every mode.
 */
function summarizeConversation(conversation, model) {
  if (!conversation) return null;
  if (conversation.error) return { model, withReuse: null, withoutReuse: null, sameText: null, errors: [conversation.error] };
  const mine = conversation.records.filter((r) => (r.model ?? EMBEDDED) === model);
  if (!mine.length) return null;
  const records = ok(mine);
  const mode = (reuse, paused = false, warm = true) => {
    const runs = records.filter((r) => r.reuse === reuse && (r.pauseMs ?? 0) > 0 === paused && (r.warm ?? true) === warm);
    if (paused && !runs.length) return null;
    const turns = (runs[0]?.turns ?? []).map((_, i) => {
      const at = runs.map((r) => r.turns[i]).filter(Boolean);
      return {
        ttftMs: median(at.map((t) => t.ttftMs)),
        promptTokens: median(at.map((t) => t.promptTokens)),
        cachedTokens: median(at.map((t) => t.cachedTokens)),
        completionTokens: median(at.map((t) => t.completionTokens)),
      };
    });
    const early = median(turns.slice(0, 3).map((t) => t.ttftMs));
    const late = median(turns.slice(-3).map((t) => t.ttftMs));
    return { runs: runs.length, pauseMs: runs[0]?.pauseMs ?? 0, turns, early, late, lateOverEarly: early && late ? late / early : null };
  };
  const all = new Set(records.map((r) => r.turns.map((t) => t.text).join('\u0000')));
  return {
    model,
    withReuse: mode(true),
    withoutReuse: mode(false),
    withReuseAfterPause: mode(true, true),
    withReuseAfterPauseUnwarmed: mode(true, true, false),
    sameText: records.length ? all.size === 1 : null,
    errors: mine.filter((r) => r.error).map((r) => r.error.split('\n')[0]),
  };
}

const EMBEDDED = 'zstream-tiny-story';
/** Canonical: its tokenizer re-encodes the answers to the tokens generated (bench/page/conversation.ts). */
const CHAT = 'zstream-tiny-chat';

/** The benchmark model's paths, and sampled decoding against greedy on each. */
function summarizeBenchModel(bench) {
  if (!bench || bench.error) return bench?.error ? { error: bench.error, workloads: {}, sampledOverGreedy: {}, problems: [] } : null;
  const workloads = Object.fromEntries(Object.entries(bench.runs).map(([w, byPath]) => [w, summarizeWorkload(byPath, w)]));
  const { greedy, sampled } = workloads;
  const sampledOverGreedy = greedy && sampled
    ? Object.fromEntries(Object.keys(greedy.paths).map((p) => {
      const g = greedy.paths[p]?.decodeTokensPerSecond;
      const s = sampled.paths[p]?.decodeTokensPerSecond;
      return [p, g && s ? s / g : null];
    }))
    : {};
  return { model: bench.info, workloads, sampledOverGreedy, problems: bench.problems };
}

export function summarize(raw) {
  const out = {};
  const devices = new Set([raw.loads, raw.streaming, raw.conversation, raw.benchModel].flatMap((part) => Object.keys(part ?? {})));
  for (const device of devices) {
    const streaming = raw.streaming[device]?.error ? undefined : raw.streaming[device];
    out[device] = {
      model: streaming?.info ?? null,
      loads: raw.loads[device]?.loads ? summarizeLoads(raw.loads[device].loads) : null,
      flow: summarizeFlow(streaming?.flow),
      workloads: Object.fromEntries(Object.entries(streaming?.runs ?? {}).map(([w, byPath]) => [w, summarizeWorkload(byPath, w)])),
      // The chat model's conversation carries the goal; the embedded model's is the worst case.
      conversation: summarizeConversation(raw.conversation?.[device], CHAT),
      conversationEmbedded: summarizeConversation(raw.conversation?.[device], EMBEDDED),
      benchModel: summarizeBenchModel(raw.benchModel?.[device]),
      problems: [...(raw.loads[device]?.problems ?? []), ...(streaming?.problems ?? []), ...(raw.conversation?.[device]?.problems ?? []), ...(raw.benchModel?.[device]?.problems ?? [])],
    };
  }
  return out;
}
