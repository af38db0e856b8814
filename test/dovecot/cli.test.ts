import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError, usage } from './cli.js';

describe('npm run dovecot: the command line', () => {
  it('reads its options, and --help', () => {
    expect(parseCliArgs([])).toEqual({ seed: false });
    expect(parseCliArgs(['--seed', '--spam', '20', '--bulk', '300', '--bulk-folder', 'Archive', '--quota', '500'])).toEqual({
      seed: true,
      spamAssassin: 20,
      bulk: 300,
      bulkFolder: 'Archive',
      quotaMb: 500,
    });
    expect(parseCliArgs(['--help'])).toBe('help');
    expect(parseCliArgs(['-h'])).toBe('help');
    expect(usage).toContain('--bulk N');
  });

  it('refuses what it does not take with a usage error, not a stack', () => {
    expect(() => parseCliArgs(['--sead'])).toThrow(UsageError);
    expect(() => parseCliArgs(['--bulk', 'many'])).toThrow(/--bulk needs a non-negative integer, got "many"/);
    expect(() => parseCliArgs(['--spam', '-3'])).toThrow(UsageError);
    expect(() => parseCliArgs(['extra'])).toThrow(UsageError);
  });
});
