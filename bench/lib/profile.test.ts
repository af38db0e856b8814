import { describe, expect, it } from 'vitest';
import { topSelfTime } from './profile.js';

describe('topSelfTime', () => {
  it('sums self time per function across nodes, largest first', () => {
    const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber });
    const text = topSelfTime({
      nodes: [
        { id: 1, callFrame: frame('(root)', '', -1) },
        { id: 2, callFrame: frame('insertHeaders', 'file:///x/electron/engine/db/messages.ts', 9) },
        { id: 3, callFrame: frame('parse', 'file:///x/node_modules/imapflow/a.js', 0) },
        { id: 4, callFrame: frame('insertHeaders', 'file:///x/electron/engine/db/messages.ts', 9) },
      ],
      samples: [2, 3, 4, 2],
      timeDeltas: [1000, 1000, 2000, 4000],
    });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/87\.5%\s+7 ms\s+insertHeaders {2}electron\/engine\/db\/messages\.ts:10/);
    expect(lines[1]).toMatch(/12\.5%\s+1 ms\s+parse {2}node_modules\/imapflow\/a\.js:1/);
    expect(lines).toHaveLength(3);
  });
});
