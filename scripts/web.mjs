// npm run web: build the renderer if needed, then serve it and the engine on loopback.
import { buildRenderer, tsx } from './lib.mjs';

await buildRenderer();
process.exitCode = await tsx('electron/web/main.ts', process.argv.slice(2));
