import { FIREFOX_KEY } from './config.mjs';

// The summary as Markdown: one table per workload, one for loads. Numbers only, no verdicts
// beyond the issue's targets, which are reported as met or missed.
const f = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));
const pair = (s, digits) => `${f(s?.median, digits)} / ${f(s?.p95, digits)}`;

const PATH_NAMES = {
  floor: '(a) backend in worker (floor)',
  loop: '(a) + generation loop, in the worker',
  transfer: '(a) + loop + transferred ReadableStream, one event per chunk (before batching) → page',
  pullById: '(a) + loop + one Comlink call per event → page',
  firstInReply: 'prototype: transferred stream, first event in the reply',
  batched: "(a) + loop + transferred stream of batches (the engine's) → page",
  chatStream: '(b) engine.chatStream',
  sdk: '(c) openai SDK + createFetch',
  responses: "(c′) openai SDK + createFetch, Responses API",
  fetch: '(d) fetch + getReader (installFetch)',
  baseline: 'baseline: transformers.js TextStreamer + postMessage',
};

/** `pick(deviceSummary)`: the workloads to read (the embedded model's, or the benchmark model's). */
function workloadTable(results, workload, pick = (s) => s.workloads) {
  const rows = [
    '| device | path | tokens | TTFT ms (median / p95) | ITL ms (median / p95) | tok/s (median / p95 run) | × (a) | decode tok/s | × (a) | long tasks |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [device, s] of Object.entries(results.summary)) {
    const w = pick(s)?.[workload];
    if (!w) continue;
    const order = Object.keys(PATH_NAMES).filter((path) => w.paths[path]);
    for (const path of order) {
      const p = w.paths[path];
      rows.push(`| ${device} | ${PATH_NAMES[path]} | ${f(p.tokens, 0)} | ${pair(p.ttftMs, 1)} | ${pair(p.itlMs, 2)} | ${pair(p.tokensPerSecond, 0)} | ${f(w.ratiosToFloor[path], 2)} | ${f(p.decodeTokensPerSecond, 0)} | ${f(w.decodeRatiosToFloor[path], 2)} | ${p.longTasks.count} |`);
    }
  }
  const same = Object.entries(results.summary)
    .filter(([, s]) => pick(s)?.[workload])
    .map(([device, s]) => `${device}: ${pick(s)[workload].sameText ? 'yes' : 'NO'}`);
  rows.push('', `Every zstream path generated the same text (${same.join(', ')}).`);
  return rows.join('\n');
}

const CONVERSATIONS = {
  conversation: 'Chat model (`zstream-tiny-chat`): its tokenizer re-encodes each answer to the tokens it generated, as a real model\'s BPE does, so the cache covers the previous prompt and answer. The goal is measured here.',
  conversationEmbedded: 'Embedded model (`zstream-tiny-story`): its tokenizer has no merges, so each resent answer is ~135 byte tokens its request\'s cache entry never held (a model whose output re-encodes differently, or a template that changes earlier answers): back to back they are prefilled again; after a pause the engine has prefilled them while idle.',
};

/** `key`: which model's conversations (CONVERSATIONS). */
function conversationTable(results, key) {
  const turns = Array.from({ length: 10 }, (_, i) => i + 1);
  const rows = [
    `| device | prefix cache | ${turns.map((t) => `turn ${t}`).join(' | ')} | turns 8–10 ÷ 1–3 |`,
    `|---|---|${turns.map(() => '---:').join('|')}|---:|`,
  ];
  const notes = [];
  for (const [device, s] of Object.entries(results.summary)) {
    // Runs before the chat model existed had only the embedded model's, under `conversation`.
    const c = key === 'conversationEmbedded' && !s.conversation?.model ? s.conversation : s[key];
    if (!c || (key === 'conversation' && !c.model)) continue;
    if (!c.withReuse) {
      notes.push(`${device}: ${c.errors.join('; ')}`);
      continue;
    }
    const paused = c.withReuseAfterPause;
    const pauseName = paused && `on, ${paused.pauseMs / 1000} s between turns (the next turn readied meanwhile)`;
    const unwarmed = c.withReuseAfterPauseUnwarmed;
    const modes = [
      ['on (default), turns back to back', c.withReuse], ['off (prefixCacheBytes: 0)', c.withoutReuse], ...(paused ? [[pauseName, paused]] : []),
      ...(unwarmed ? [[`on, ${unwarmed.pauseMs / 1000} s between turns, warmNextTurn: false`, unwarmed]] : []),
    ];
    for (const [name, m] of modes) {
      rows.push(`| ${device} | ${name}: TTFT ms | ${turns.map((_, i) => f(m.turns[i]?.ttftMs)).join(' | ')} | ${f(m.lateOverEarly, 2)} |`);
    }
    rows.push(`| ${device} | prompt tokens | ${turns.map((_, i) => f(c.withReuse.turns[i]?.promptTokens, 0)).join(' | ')} | |`);
    rows.push(`| ${device} | cached_tokens (on, back to back) | ${turns.map((_, i) => f(c.withReuse.turns[i]?.cachedTokens, 0)).join(' | ')} | |`);
    if (paused) rows.push(`| ${device} | cached_tokens (on, paused, readied) | ${turns.map((_, i) => f(paused.turns[i]?.cachedTokens, 0)).join(' | ')} | |`);
    const same = { true: 'the same answers in every mode', false: 'ANSWERS DIFFER between the modes', null: 'no conversation finished' }[String(c.sameText)];
    notes.push(`${device}: ${same}${c.errors.length ? `; errors: ${c.errors.join('; ')}` : ''}`);
  }
  if (!notes.length) return 'Not measured in this run.';
  const reps = Object.entries(results.config.conversationReps ?? {}).map(([d, n]) => `${n} on ${d}`).join(', ');
  rows.push('', `Medians over the conversations per mode (${reps}); ${notes.join('; ')}.`);
  return rows.join('\n');
}

function samplingTable(results) {
  const rows = [
    '| device | path | greedy decode tok/s | sampled decode tok/s | sampled ÷ greedy | sampling ms a token (1/sampled − 1/greedy) |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const [device, s] of Object.entries(results.summary)) {
    const b = s.benchModel;
    if (!b) continue;
    for (const path of Object.keys(PATH_NAMES).filter((p) => b.sampledOverGreedy[p] !== undefined)) {
      const [g, s] = [b.workloads.greedy?.paths[path]?.decodeTokensPerSecond, b.workloads.sampled?.paths[path]?.decodeTokensPerSecond];
      rows.push(`| ${device} | ${PATH_NAMES[path]} | ${f(g, 0)} | ${f(s, 0)} | ${f(b.sampledOverGreedy[path], 3)} | ${g && s ? f(1000 / s - 1000 / g, 2) : 'n/a'} |`);
    }
  }
  return rows.join('\n');
}

/** Medians of this run against the one before it (bench/results.json keeps it as `previous`). */
function comparisonTable(results) {
  const before = results.previous?.summary;
  if (!before) return 'No previous run to compare with.';
  const rows = [
    `Previous run: ${results.previous.date} (${results.previous.durationS} s). Rows that exist in both runs.`,
    '',
    '| device | model | workload | path | TTFT ms, before → now | tok/s, before → now |',
    '|---|---|---|---|---:|---:|',
  ];
  const models = [['embedded', (s) => s?.workloads], ['bench 49k', (s) => s?.benchModel?.workloads]];
  for (const [device, s] of Object.entries(results.summary)) {
    for (const [model, pick] of models) {
      for (const [workload, w] of Object.entries(pick(s) ?? {})) {
        const old = pick(before[device])?.[workload];
        if (!old) continue;
        for (const path of Object.keys(PATH_NAMES).filter((p) => w.paths[p] && old.paths[p])) {
          const [a, b] = [old.paths[path], w.paths[path]];
          rows.push(`| ${device} | ${model} | ${workload} | ${PATH_NAMES[path]} | ${f(a.ttftMs.median)} → ${f(b.ttftMs.median)} | ${f(a.tokensPerSecond.median, 0)} → ${f(b.tokensPerSecond.median, 0)} |`);
        }
      }
    }
    for (const now of [s.conversation, s.conversationEmbedded]) {
      // Like with like: a run before the chat model existed had only the embedded model's conversation.
      const model = now?.model;
      const old = [before[device]?.conversation, before[device]?.conversationEmbedded].find((c) => c?.withReuse && (c.model ?? 'zstream-tiny-story') === model);
      if (old && now.withReuse) rows.push(`| ${device} | ${model} | conversation, turns 8–10 (cache on) | (c) openai SDK + createFetch | ${f(old.withReuse.late)} → ${f(now.withReuse.late)} | |`);
    }
  }
  return rows.join('\n');
}

function loadTable(results) {
  const rows = [
    '| device | what | load ms, cold (median / p95) | load ms, warm (median / p95) | page → ready ms (cold / warm) | first request TTFT ms (cold / warm) | second request TTFT ms (cold / warm) | the first\'s prefill warm: TTFT ms (cold / warm) | Cache Storage entries |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [device, s] of Object.entries(results.summary)) {
    for (const [what, l] of Object.entries(s.loads ?? {})) {
      const name = what === 'engine' ? 'zstream createEngine' : 'baseline (from_pretrained + warm-up)';
      rows.push(`| ${device} | ${name} | ${pair(l.cold.loadMs, 0)} | ${pair(l.warm.loadMs, 0)} | ${f(l.cold.pageToReadyMs.median, 0)} / ${f(l.warm.pageToReadyMs.median, 0)} | ${f(l.cold.firstTtftMs.median, 1)} / ${f(l.warm.firstTtftMs.median, 1)} | ${f(l.cold.secondTtftMs.median, 1)} / ${f(l.warm.secondTtftMs.median, 1)} | ${l.cold.sameShapeTtftMs ? `${f(l.cold.sameShapeTtftMs.median, 1)} / ${f(l.warm.sameShapeTtftMs?.median, 1)}` : '–'} | ${f(l.warm.cacheEntries, 0)} |`);
    }
  }
  return rows.join('\n');
}

function flowTable(results) {
  const rows = [
    '| device | tokens generated ahead of a paused reader, long (median / max) | tokens generated after an abort, long (median / max) | abort → model free ms (median / p95) | SSE bytes per token, story / long (fetch path) |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const [device, s] of Object.entries(results.summary)) {
    const flow = s.flow;
    const bytes = ['story', 'long'].map((w) => f(s.workloads[w]?.paths.fetch?.bytesPerToken, 0)).join(' / ');
    if (!flow) continue;
    const ahead = flow.aheadOfPausedReader.map((a) => `${pair(a, 0)} in ${a.pauseMs} ms`).join(', ');
    rows.push(`| ${device} | ${ahead} | ${pair(flow.stepsAfterAbort, 0)} | ${pair(flow.abortToReleasedMs, 1)} | ${bytes} |`);
  }
  return rows.join('\n');
}

/** Firefox ESR's WASM numbers beside Chromium's, from the same run (docs/browsers.md explains the gap). */
function browserTable(results) {
  const chromium = results.summary.wasm;
  const firefox = results.summary[FIREFOX_KEY];
  if (!chromium || !firefox) return 'Firefox or Chromium on WASM was not measured in this run (BENCH_BROWSERS, BENCH_DEVICES).';
  const rows = [
    '| workload | path | tok/s Chromium | tok/s Firefox | Firefox ÷ Chromium | decode tok/s Chromium / Firefox | TTFT ms Chromium / Firefox (median) |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const workload of ['story', 'long']) {
    for (const path of Object.keys(PATH_NAMES)) {
      const c = chromium.workloads[workload]?.paths[path];
      const x = firefox.workloads[workload]?.paths[path];
      if (!c || !x) continue;
      const ratio = c.tokensPerSecond.median ? x.tokensPerSecond.median / c.tokensPerSecond.median : null;
      rows.push(`| ${workload} | ${PATH_NAMES[path]} | ${f(c.tokensPerSecond.median, 0)} | ${f(x.tokensPerSecond.median, 0)} | ${f(ratio, 2)} | ${f(c.decodeTokensPerSecond, 0)} / ${f(x.decodeTokensPerSecond, 0)} | ${f(c.ttftMs.median, 1)} / ${f(x.ttftMs.median, 1)} |`);
    }
  }
  const load = (s) => s.loads?.engine;
  rows.push('', `createEngine cold load: Chromium ${f(load(chromium)?.cold.loadMs.median, 0)} ms, Firefox ${f(load(firefox)?.cold.loadMs.median, 0)} ms; first request TTFT after it: ${f(load(chromium)?.cold.firstTtftMs.median, 1)} / ${f(load(firefox)?.cold.firstTtftMs.median, 1)} ms.`);
  return rows.join('\n');
}

const met = (ok) => (ok === null ? 'n/a' : ok ? 'met' : 'missed');

function targetTable(results) {
  const rows = ['| target | device | measured | |', '|---|---|---|---|'];
  const wasm = results.summary.wasm;
  if (wasm) {
    for (const path of ['sdk', 'fetch']) {
      const r = wasm.workloads.long?.ratiosToFloor[path];
      const d = wasm.workloads.long?.decodeRatiosToFloor[path];
      rows.push(`| ${PATH_NAMES[path]} ≥ 0.99 × (a) tok/s | wasm | ${f(r, 2)} × end to end, ${f(d, 2)} × decode (long) | ${met(r == null ? null : r >= 0.99)} |`);
    }
  }
  for (const [device, s] of Object.entries(results.summary)) {
    // The Responses API against chat completions, same workload: ≥ 0.97 × tok/s, TTFT within 2 ms.
    const chat = s.workloads.long?.paths.sdk;
    const responses = s.workloads.long?.paths.responses;
    const storyTtft = [s.workloads.story?.paths.sdk?.ttftMs.median, s.workloads.story?.paths.responses?.ttftMs.median];
    if (chat && responses) {
      const ratio = responses.tokensPerSecond.median / chat.tokensPerSecond.median;
      const gap = storyTtft.includes(undefined) ? null : storyTtft[1] - storyTtft[0];
      rows.push(`| (c′) Responses ≥ 0.97 × (c) chat tok/s, TTFT within 2 ms | ${device} | ${f(ratio, 3)} × (long), TTFT ${gap === null ? 'n/a' : `${gap >= 0 ? '+' : ''}${f(gap, 2)}`} ms (story) | ${met(gap === null ? null : ratio >= 0.97 && gap <= 2)} |`);
    }
    const c = s.conversation?.model ? s.conversation.withReuse : null;
    const byteTokens = s.conversationEmbedded?.withReuse;
    const pausedNote = (m, unwarmed) => (m ? `, ${m.pauseMs / 1000} s between turns ${f(m.lateOverEarly, 2)} ×${unwarmed ? ` (${f(unwarmed.lateOverEarly, 2)} × with warmNextTurn: false)` : ''}` : '');
    const embedded = byteTokens
      ? `; embedded model, answers not re-encoded to their tokens: ${f(byteTokens.lateOverEarly, 2)} ×${pausedNote(s.conversationEmbedded.withReuseAfterPause, s.conversationEmbedded.withReuseAfterPauseUnwarmed)}`
      : '';
    if (c && s.conversation.withoutReuse) rows.push(`| 10-turn chat with the prefix cache: TTFT of turns 8–10 ≤ 1.5 × turns 1–3 (chat model) | ${device} | ${f(c.late)} ms vs ${f(c.early)} ms: ${f(c.lateOverEarly, 2)} × back to back (without the cache ${f(s.conversation.withoutReuse.lateOverEarly, 2)} ×${pausedNote(s.conversation.withReuseAfterPause, s.conversation.withReuseAfterPauseUnwarmed)}${embedded}) | ${met(c.lateOverEarly == null ? null : c.lateOverEarly <= 1.5)} |`);
    const b = s.benchModel;
    if (b) {
      const floor = b.sampledOverGreedy.floor;
      rows.push(`| 49k vocabulary: sampled (T 1, top_p 0.9, presence 0.5) decode within 5 % of greedy | ${device} | ${f(floor, 3)} × on (a); ${['chatStream', 'sdk', 'fetch'].map((p) => f(b.sampledOverGreedy[p], 3)).join(', ')} × on (b), (c), (d) | ${met(floor == null ? null : floor >= 0.95)} |`);
      for (const path of ['chatStream', 'sdk', 'fetch']) {
        const r = b.workloads.sampled?.decodeRatiosToFloor[path];
        rows.push(`| 49k vocabulary: ${PATH_NAMES[path]} ≥ 0.97 × (a) decode tok/s, sampled | ${device} | ${f(r, 2)} × | ${met(r == null ? null : r >= 0.97)} |`);
      }
    }
    rows.push(device.endsWith('wasm') ? firstRequestWasm(device, s.loads?.engine) : firstRequestWebgpu(device, s.loads?.engine));
    const longTasks = ['story', 'long'].reduce((a, w) => a + Object.entries(s.workloads[w]?.paths ?? {}).filter(([p]) => p !== 'baseline' && p !== 'floor').reduce((b, [, p]) => b + p.longTasks.count, 0), 0);
    rows.push(`| zero long tasks while streaming (b, c, d) | ${device} | ${longTasks} | ${met(longTasks === 0)} |`);
    const [short, long] = s.flow?.aheadOfPausedReader ?? [];
    const bounded = short?.p95 == null || long?.p95 == null ? null : long.p95 <= short.p95;
    rows.push(`| run-ahead bounded (no more for a pause twice as long) | ${device} | at most ${f(short?.p95, 0)} in ${short?.pauseMs} ms, ${f(long?.p95, 0)} in ${long?.pauseMs} ms (default runAhead 32 events; long workload: some events are several tokens) | ${met(bounded)} |`);
  }
  return rows.join('\n');
}

/** Issue #16: the first request after load, TTFT ≤ 20 ms on WASM, through the openai SDK. */
function firstRequestWasm(device, engine) {
  const first = [engine?.cold.firstTtftMs.p95, engine?.warm.firstTtftMs.p95];
  const worst = first.some((v) => v == null) ? null : Math.max(...first);
  return `| first request after load: TTFT ≤ 20 ms | ${device} | p95 ${f(first[0])} cold, ${f(first[1])} warm | ${met(worst === null ? null : worst <= 20)} |`;
}

/**
 * Issue #16: on WebGPU, within 10 ms of the prefill it needs. The reference is the same prefill once
 * everything is warm (a prompt as long, from the same cached start, through the same SDK path), per
 * load; SwiftShader's prefill of the story is slower than the ~50 ms an absolute goal assumed.
 */
function firstRequestWebgpu(device, engine) {
  const over = [engine?.cold.firstOverSameShapeMs?.p95, engine?.warm.firstOverSameShapeMs?.p95];
  const worst = over.some((v) => v == null) ? null : Math.max(...over);
  const split = engine?.cold.sameSplit === false || engine?.warm.sameSplit === false ? '; prompt or cached tokens differed: not comparable' : '';
  const measured = `first request minus the same prefill warm: p95 ${f(over[0])} cold, ${f(over[1])} warm (TTFT p95 ${f(engine?.cold.firstTtftMs.p95)} / ${f(engine?.warm.firstTtftMs.p95)} ms; prompt/cached tokens ${engine?.cold.firstSplit ?? '?'})${split}`;
  return `| first request after load: TTFT within 10 ms of its prefill warm | ${device} | ${measured} | ${met(worst === null || split ? null : worst <= 10)} |`;
}

function problemList(results) {
  const lines = [];
  for (const [device, s] of Object.entries(results.summary)) {
    for (const p of new Set(s.problems)) lines.push(`- ${device}: ${p}`);
    for (const e of s.flow?.errors ?? []) lines.push(`- ${device} flow: ${e}`);
  }
  return lines.length ? ['## Problems seen during the run', '', ...lines, ''] : [];
}

const LEGEND = [
  '## How to read this',
  '',
  '- Every request is timed on the page from the call that starts it (`chatStream()`, `create()`, `fetch()`, `postMessage`), except (a), which is timed inside its worker.',
  '- TTFT: until the first non-empty text. ITL: gaps between text deltas (a delta can carry several byte tokens, e.g. 👋); the baseline counts its per-token messages.',
  '- tok/s: completion tokens ÷ (call → end of stream), prefill included; decode tok/s counts from the first delta. × (a): ratio of medians to the floor.',
  "- The layer rows take the engine apart: its generation loop alone in the worker, then its events crossing to the page: one event per transferred chunk (as before batching), in the engine's batches (worker/batched-stream.ts), or pulled by its fallback (one Comlink call per event). The prototype row is a bench-only transport that shows what a change would gain.",
  '- Long tasks: main-thread tasks over 50 ms (PerformanceObserver) that overlapped the runs, summed over repetitions. They are wall-clock, so a busy machine can make them.',
  '- Flow control is counted with the worker\'s own decode-step clock (`src/testing.ts`), through the plain fetch path: tokens generated beyond the one read before a pause, long workload (the engine bounds events, `runAhead`, default 32; there some events are several byte tokens); decode steps that ended after an abort.',
  '- Conversation: a new engine per conversation, the prefix cache on (default) or off, and on with a pause between turns (BENCH_CONVERSATION_PAUSE_MS: a person reading the answer; the engine prefills the next turn\'s start meanwhile, warmNextTurn), and the same pause with warmNextTurn: false (what the pause alone does); the streaming paths and loads run with warmNextTurn: false (no idle work under the next path\'s measurement); each turn sends the whole chat so far (system message, every question, every answer) through the openai SDK, greedy, at most 40 tokens (both models answer the 32-token story); TTFT is the SDK\'s first content delta. cached_tokens is what `usage.prompt_tokens_details` reported. Two models with the same network and story: the chat model, whose tokenizer re-encodes the story\'s text to the story\'s tokens (scripts/canonical-tokenizer.mjs), and the embedded model, whose tokenizer encodes it to bytes.',
  '- Benchmark model: scripts/generate-bench-model.mjs, 4 layers of 64 wide with a 49,152-token byte-level BPE vocabulary and long-tailed logits; what scales with the vocabulary (LM head, logits read back, sampling, detokenizing) is real, the rest is small.',
  '- Repeated runs of one prompt (story, long, greedy, sampled) reuse its cached prefix in zstream paths (all but the prompt\'s last token); the baseline recomputes it.',
  '- Bytes per token: SSE bytes read by the fetch path ÷ completion tokens (each chunk is a whole OpenAI `chat.completion.chunk`).',
  '',
];

/** The bench keeps about two threads busy itself (a worker decoding, the page reading). */
function loadNote(m) {
  const { start, max, end } = m.loadAverage;
  const busy = max > m.cores + 1;
  const nice = m.nice ? ` The bench ran at nice ${m.nice}.` : '';
  return `1-minute load average ${f(start)} at the start, ${f(max)} at most, ${f(end)} at the end${busy ? ` — above ${m.cores + 1} on ${m.cores} cores: other processes competed for the CPU and the numbers are noisy` : ''}.${nice}`;
}

export function renderMarkdown(results) {
  const m = results.machine;
  const c = results.config;
  // A partial run (BENCH_PARTS) shows only the sections it measured.
  const measured = (part, lines) => (c.parts ?? [part]).includes(part) ? lines : [];
  return [
    '# zstream benchmark results',
    '',
    `${results.date} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · ${m.chromium} headless (WebGPU on SwiftShader)${m.firefox ? ` · ${m.firefox} headless (WASM; rows "${FIREFOX_KEY}")` : ''} · Node ${m.node} · ${results.durationS} s`,
    loadNote(m),
    `${c.reps} repetitions per path and workload (paths alternating); cold/warm load pairs: ${Object.entries(c.loadReps).map(([d, n]) => `${n} on ${d}`).join(", ")}${c.browsers?.includes('firefox') ? `; Firefox: ${c.firefoxReps} repetitions, ${c.firefoxLoadReps} load pair` : ''}; p95 is nearest-rank.`,
    '',
    ...measured('streaming', [
      '## story: greedy, the 32-token answer (TTFT and ITL as users see them)',
      '',
      workloadTable(results, 'story'),
      '',
      `## long: ${c.longTokens.wasm} tokens on WASM, ${c.longTokens.webgpu} on WebGPU (sampled at temperature 1 with seed 5, ends on max_tokens; throughput)`,
      '',
      workloadTable(results, 'long'),
      '',
      '## Firefox ESR next to Chromium (WASM, same run)',
      '',
      browserTable(results),
      '',
    ]),
    ...measured('conversation', [
      '## Conversation: 10 turns through the openai SDK, each resending the whole chat (TTFT per turn, ms)',
      '',
      ...Object.entries(CONVERSATIONS).flatMap(([key, title]) => [title, '', conversationTable(results, key), '']),
    ]),
    ...measured('benchModel', [
      `## Benchmark model: SmolLM2-135M's vocabulary (49,152 tokens), ${c.benchModelTokens?.wasm} tokens on WASM, ${c.benchModelTokens?.webgpu} on WebGPU`,
      '',
      'Greedy:',
      '',
      workloadTable(results, 'greedy', (s) => s.benchModel?.workloads),
      '',
      'Sampled (temperature 1, top_p 0.9, presence_penalty 0.5, seed 5; (c′) without the penalty, which the Responses API lacks; the baseline: temperature 1, top_p 0.9):',
      '',
      workloadTable(results, 'sampled', (s) => s.benchModel?.workloads),
      '',
      samplingTable(results),
      '',
    ]),
    ...measured('loads', ['## Loads', '', loadTable(results), '']),
    ...measured('streaming', ['## Flow control and the wire', '', flowTable(results), '']),
    '## Targets (reported, never asserted)',
    '',
    targetTable(results),
    '',
    '## Compared with the previous run',
    '',
    comparisonTable(results),
    '',
    ...problemList(results),
    ...LEGEND,
  ].join('\n');
}
