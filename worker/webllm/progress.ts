// WebLLM reports loading as text plus a fraction (tvmjs fetchTensorCacheInternal and
// fetchNDArrayCache's shader loop, web-llm engine.ts reload). This reads those reports as
// LoadProgress: the download of the weight shards (bytes, from the tensor-cache manifest's sizes)
// and the compilation of the GPU shader modules (counted).
import type { InitProgressReport } from '@mlc-ai/web-llm';
import type { LoadProgress } from '../../src/shared/protocol.js';

export type WebLLMPhase =
  | { phase: 'download'; fraction: number; shards: number }
  | { phase: 'compile'; done: number; total: number }
  | undefined;

// "Fetching param cache[3/24]: 120MB fetched. 12% completed, 9 secs elapsed. …"
// "Loading model from cache[3/24]: 120MB loaded. 12% completed, 1 secs elapsed."
const PARAMS = /^(?:Fetching param cache|Loading model from cache)\[(\d+)\/(\d+)\]/;
// "Loading GPU shader modules[12/85]: 14% completed, 3 secs elapsed."
const SHADERS = /^Loading GPU shader modules\[(\d+)\/(\d+)\]/;

export function readReport(report: InitProgressReport): WebLLMPhase {
  const params = PARAMS.exec(report.text);
  if (params) return { phase: 'download', fraction: report.progress, shards: Number(params[2]) };
  const shaders = SHADERS.exec(report.text);
  if (shaders) return { phase: 'compile', done: Number(shaders[1]), total: Number(shaders[2]) };
  return undefined; // "Start to fetch params", "Finish loading on …": the phases around them say it
}

/** The weights' size: the sum of the shards' sizes in the manifest WebLLM has just cached. */
async function manifestBytes(manifestURL: string): Promise<number> {
  const response = await caches.match(manifestURL).catch(() => undefined);
  const manifest = (await response?.json().catch(() => undefined)) as { records?: Array<{ nbytes?: number }> } | undefined;
  return manifest?.records?.reduce((sum, record) => sum + (record.nbytes ?? 0), 0) ?? 0;
}

/** An initProgressCallback that reports LoadProgress in order; `flush()` waits for the last report. */
export function progressReporter(report: (p: LoadProgress) => void, files: { manifest: string; modelLib: string }) {
  let total: Promise<number> | undefined;
  let queue = Promise.resolve();
  const onReport = (progress: InitProgressReport): void => {
    const phase = readReport(progress);
    if (phase?.phase === 'download') {
      total ??= manifestBytes(files.manifest);
      const bytes = total;
      queue = queue.then(async () => {
        const size = await bytes;
        report({ phase: 'download', file: 'params_shard_*.bin', loaded: Math.round(phase.fraction * size), total: size });
      });
    } else if (phase?.phase === 'compile') {
      queue = queue.then(() => report({ phase: 'compile', file: files.modelLib, loaded: phase.done, total: phase.total }));
    }
  };
  return { onReport, flush: () => queue };
}
