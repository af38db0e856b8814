// npm test: typecheck, lint, unit, integration (real Dovecot) and end-to-end (Chromium) tests.
// Prints one closing line "Tests: N passed, N failed" for CI.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bin, buildRenderer, must, root, run } from './lib.mjs';

const started = Date.now();
const step = (name) => process.stderr.write(`\n── ${name} ──\n`);

step('typecheck');
await must(process.execPath, ['scripts/typecheck.mjs']);
step('lint');
await must(bin('eslint'), ['--max-warnings', '0', '.']);
step('electron security lint');
await must(process.execPath, ['scripts/lint-electron.mjs']);
step('format');
await must(bin('prettier'), ['--check', '--log-level', 'warn', '.']);
step('build');
await buildRenderer({ force: true });

step('vitest: unit, integration, e2e');
mkdirSync(path.join(root, 'test-output'), { recursive: true });
const report = path.join(root, 'test-output', 'vitest.json');
const code = await run(bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);

let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
} catch {
  failed = Math.max(failed, 1);
}
process.stderr.write(`\nfinished in ${Math.round((Date.now() - started) / 1000)} s\n`);
console.log(`Tests: ${passed} passed, ${failed} failed`);
process.exitCode = code !== 0 || failed > 0 ? 1 : 0;
