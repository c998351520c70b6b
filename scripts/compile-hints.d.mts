export declare const COMPILE_HINT: string;
/** For rolldown's `output.postBanner`: the hint on startup chunks, nothing on `import()`ed ones. */
export declare function startupCompileHint(chunk: { isDynamicEntry: boolean }): string;
