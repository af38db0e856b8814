// npm run demo: a seeded test Dovecot plus browser mode already set up for it.
import { buildRenderer, tsx } from './lib.mjs';

await buildRenderer();
process.exitCode = await tsx('test/demo.ts', process.argv.slice(2));
