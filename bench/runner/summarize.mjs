// Raw records → medians, p95s and ratios to the floor, per device.
import { median, summarizeRuns, summary } from './stats.mjs';

const ok = (records) => records.filter((r) => !r.error);

function summarizeLoads(loads) {
  const phase = (records) => ({
    loadMs: summary(ok(records).map((r) => r.loadMs)),
    pageToReadyMs: summary(ok(records).map((r) => r.pageToReadyMs)),
    firstTtftMs: summary(ok(records).map((r) => r.first.deltas[0]).filter((t) => t !== undefined)),
    secondTtftMs: summary(ok(records).map((r) => r.second.deltas[0]).filter((t) => t !== undefined)),
    firstLongTasks: ok(records).reduce((a, r) => a + (r.first.longTasks?.count ?? 0), 0),
    cacheEntries: median(ok(records).map((r) => r.cache.entries)),
    errors: records.length - ok(records).length,
  });
  return Object.fromEntries(Object.entries(loads).map(([what, p]) => [what, { cold: phase(p.cold), warm: phase(p.warm) }]));
}

const ZSTREAM_PATHS = ['floor', 'chatStream', 'sdk', 'responses', 'fetch', 'loop', 'transfer', 'pullById', 'firstInReply', 'batched'];

function summarizeWorkload(byPath) {
  // Every zstream path runs the same request with the same seed: the texts must agree.
  const texts = new Set(ZSTREAM_PATHS.flatMap((p) => ok(byPath[p] ?? []).map((r) => r.text)));
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

export function summarize(raw) {
  const out = {};
  for (const [device, streaming] of Object.entries(raw.streaming)) {
    out[device] = {
      model: streaming.info,
      loads: raw.loads[device] ? summarizeLoads(raw.loads[device].loads) : null,
      flow: summarizeFlow(streaming.flow),
      workloads: Object.fromEntries(Object.entries(streaming.runs).map(([w, byPath]) => [w, summarizeWorkload(byPath)])),
      problems: [...(raw.loads[device]?.problems ?? []), ...streaming.problems],
    };
  }
  return out;
}
