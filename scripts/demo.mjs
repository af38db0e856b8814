// npm run demo: a seeded test Dovecot plus browser mode already set up for it.
import { buildRenderer, tsx } from './lib.mjs';

const args = process.argv.slice(2);
// --help answers at once: no renderer build for it.
if (!args.includes('--help') && !args.includes('-h')) await buildRenderer();
process.exitCode = await tsx('test/demo.ts', args);
