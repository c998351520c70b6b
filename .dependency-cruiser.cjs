// The layer rules of zstream, checked in `npm test` (npm run lint:deps). See docs/architecture.md.
//   src/shared/  what both threads share: the worker protocol, errors, their transfer. Imports nothing of ours.
//   src/models/  the registry and runtime assets. Imports shared/.
//   src/engine/  the main-thread engine (queue, jobs, worker connection, local and remote engines).
//   src/http/    the fetch shim: router, one module per endpoint, SSE. Depends on the engine's types.
//   worker/      the worker: imports only src/shared/ and the registry from src/.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycles, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-imports-nothing-of-ours',
      comment: 'src/shared/ is compiled for both threads: it may not reach into a layer.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^(src/(engine|http|models)|worker)/' },
    },
    {
      name: 'models-only-shared',
      severity: 'error',
      from: { path: '^src/models/' },
      to: { path: '^(src/(engine|http)|worker)/' },
    },
    {
      name: 'engine-never-imports-http',
      comment: 'The HTTP layer depends on the engine, never the other way round.',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: '^src/http/' },
    },
    {
      name: 'worker-only-shared-and-registry',
      comment: 'The worker sees the protocol, errors and registry of src/, nothing of the main thread.',
      severity: 'error',
      from: { path: '^worker/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(shared/|models/registry\\.ts$)' },
    },
    {
      name: 'main-thread-never-imports-worker-code',
      comment: 'The worker starts from its URL (new Worker(new URL(...))): no module of src/ imports worker/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^worker/' },
    },
    {
      name: 'package-has-no-test-code',
      comment: 'Nothing the package ships imports test helpers.',
      severity: 'error',
      from: { path: '^(src|worker)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(test|e2e|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // bench/tmp holds the bench page's build (scripts/bench.mjs): bundles, not sources.
    exclude: { path: '^(node_modules|bench/tmp/)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'default'], extensions: ['.ts', '.js', '.mjs'] },
  },
};
