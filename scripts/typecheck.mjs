// Type-checks each world with its own tsconfig: shared (no DOM, no Node), renderer (DOM only),
// electron + test (Node only). A Node API in renderer code, or a DOM API in the engine, fails here.
import { bin, must } from './lib.mjs';

await must(bin('tsc'), ['-b', 'shared', 'renderer', 'electron', 'test']);
