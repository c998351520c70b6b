// Mutation testing (npm run mutation; not part of npm test: it takes minutes). StrykerJS changes
// the code one small way at a time (a mutant) and runs the unit tests that cover it: a mutant no
// test notices marks a line whose behaviour nothing checks. Scores per file: docs/testing.md and
// docs/mutation.md (the queue, job, batched stream and scheduler).
// One file or group: npm run mutation -- --mutate src/http/chunking.ts
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vite.config.ts', related: true },
  // What decides a request's fate first, then what keeps requests alive (queue, job, batched
  // stream, scheduler), sampling, and the prefix cache with the decode loop that uses it. A full run takes long on two cores: run one file with --mutate.
  mutate: [
    'src/http/request.ts',
    'src/http/request-fields.ts',
    'src/http/chunking.ts',
    'src/http/keep-alive.ts',
    'src/http/derived-stream.ts',
    'src/http/sse.ts',
    'src/http/request-owner.ts',
    'src/http/quote.ts',
    'worker/stop-matcher.ts',
    'worker/incremental-decoder.ts',
    'src/engine/request-queue.ts',
    'src/engine/request-job.ts',
    'src/engine/first-batch.ts',
    'src/engine/reader-clocks.ts',
    'worker/batched-stream.ts',
    'worker/scheduler.ts',
    'worker/idle-work.ts',
    'worker/sampling.ts',
    'worker/next-task.ts',
    'worker/transformers/prefix-cache.ts',
    'worker/transformers/kv-copy.ts',
    'worker/transformers/token-stream.ts',
    'worker/transformers/shape-warm-up.ts',
    'worker/transformers/next-turn.ts',
  ],
  // Two cores, shared: two test processes at most.
  concurrency: 2,
  // Error message texts are checked where OpenAI's exact words matter (request.test.ts); mutating
  // every string literal would double the run for little.
  mutator: { excludedMutations: ['StringLiteral'] },
  // Results are kept in reports/stryker-incremental.json: a rerun tests only mutants whose code or tests changed.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 80, low: 60, break: null },
  // A mutant that loops forever (a stream that never ends) is killed after the normal time plus this.
  timeoutMS: 2500,
  tempDirName: '.stryker-tmp',
  // No tsconfig rewriting in the sandbox: it needs TypeScript's JS API, which TypeScript 7 (native) lacks;
  // the sandbox is a copy inside the project, so relative paths stay right.
  tsconfigFile: 'no-tsconfig-to-rewrite.json',
  cleanTempDir: 'always',
  ignoreStatic: true,
};
