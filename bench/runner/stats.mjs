// Order statistics for small samples: nearest-rank percentiles (p95 of 5 samples is the largest).
export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

export const median = (values) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** median and p95 of a list; null where there is nothing to summarise. */
export const summary = (values) => ({ median: median(values), p95: percentile(values, 95), n: values.length });

const gaps = (deltas) => deltas.slice(1).map((t, i) => t - deltas[i]);

/**
 * One path on one workload over its repetitions. tok/s = completion tokens / time from the call
 * to the end of the stream (prefill included). Its "p95" is the rate of the p95 run time, i.e. the
 * slow tail. Decode tok/s counts from the first delta on. ITL pools the gaps between text deltas
 * of all runs.
 */
export function summarizeRuns(runs, tokensFallback) {
  const ok = runs.filter((r) => !r.error);
  const tokens = (r) => r.tokens ?? tokensFallback ?? NaN;
  const rate = (r) => (tokens(r) * 1000) / r.end;
  const rates = ok.map(rate).filter(Number.isFinite);
  // After the first token: per-token costs without the request's fixed costs.
  const decode = ok.filter((r) => r.deltas.length > 0).map((r) => ((tokens(r) - 1) * 1000) / (r.end - r.deltas[0]));
  const perToken = rates.map((r) => 1 / r);
  const slow = percentile(perToken, 95);
  const longTasks = ok.map((r) => r.longTasks ?? { count: 0, totalMs: 0, maxMs: 0 });
  return {
    runs: ok.length,
    errors: runs.length - ok.length,
    tokens: median(ok.map(tokens).filter(Number.isFinite)),
    ttftMs: summary(ok.map((r) => r.deltas[0]).filter((t) => t !== undefined)),
    itlMs: summary(ok.flatMap((r) => gaps(r.deltas))),
    tokensPerSecond: { median: median(rates), p95: slow === null ? null : 1 / slow, n: rates.length },
    decodeTokensPerSecond: median(decode.filter(Number.isFinite)),
    longTasks: {
      count: longTasks.reduce((a, t) => a + t.count, 0),
      maxMs: Math.max(0, ...longTasks.map((t) => t.maxMs)),
    },
    bytesPerToken: median(ok.filter((r) => r.bytes !== undefined && r.tokens).map((r) => r.bytes / r.tokens)),
  };
}
