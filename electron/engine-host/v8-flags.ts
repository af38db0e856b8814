/**
 * V8 flags for every process that runs the engine: Electron's utility process, and in plain Node
 * the CLI, browser mode, the demo and the benchmarks. package.json's `cli` and `bench` scripts and
 * scripts/lib.mjs repeat them (they run before anything is compiled); v8-flags.test.ts keeps the
 * copies equal.
 *
 * `--max-semi-space-size=4` (MB; V8's default here is 16): a header pass makes lots of short-lived
 * garbage on the parsing thread (imapflow's response trees, the records it becomes). With the
 * default young generation the heap peaks at 110–125 MB and the process at 244–293 MB during a
 * 100,000-message sync; with 4 MB semi-spaces the heap peaks at 83–103 MB and the process at
 * 218–228 MB, in the same time (memory benchmark children, alternating order, 5 runs each).
 * 2 MB was slower (30 s instead of 27 s) and no smaller. The flag takes effect only when the
 * process starts: V8 sizes the heap when it creates the isolate, so it cannot be set from inside.
 */
export const ENGINE_V8_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/**
 * The flags as Electron's utilityProcess takes them: `execArgv` entries become switches on the
 * utility process's command line, and it reads `--js-flags` before it creates its isolate.
 */
export const engineUtilityProcessExecArgv = (): string[] => [`--js-flags=${ENGINE_V8_FLAGS.join(' ')}`];

/** Whether this process runs with the engine's V8 flags (the benchmarks say so when it does not). */
export const hasEngineV8Flags = (execArgv: readonly string[] = process.execArgv): boolean =>
  ENGINE_V8_FLAGS.every((flag) => execArgv.includes(flag));
