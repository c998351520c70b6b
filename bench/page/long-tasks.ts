// Main-thread long tasks (> 50 ms, https://w3c.github.io/longtasks/), kept for the whole page life
// so any request's window can be looked up afterwards.
import type { LongTaskSummary } from '../workers/messages.js';

const tasks: Array<{ start: number; end: number }> = [];

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, end: entry.startTime + entry.duration });
}).observe({ type: 'longtask', buffered: true });

/** Long tasks that overlapped [from, to] (performance.now() times). */
export function longTasksBetween(from: number, to: number): LongTaskSummary {
  const hits = tasks.filter((t) => t.end > from && t.start < to).map((t) => t.end - t.start);
  return { count: hits.length, totalMs: hits.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...hits) };
}

/** Lets the observer's callback run: long-task entries are delivered after the task. */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
