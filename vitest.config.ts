import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (beside the code, no server), `int` (against the real Dovecot that
 * test/dovecot/global-setup.ts starts) and `e2e` (Chromium through browser mode, same Dovecot).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{shared,electron,renderer,test,bench,scripts}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'int',
          include: ['{electron,test,bench}/**/*.int.test.ts'],
          globalSetup: ['test/dovecot/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Tests share one Dovecot; files run in parallel but each uses its own user or folder.
          fileParallelism: true,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/dovecot/global-setup.ts', 'test/e2e/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // Each UI step goes through browser mode, the engine and Dovecot; on a loaded 2-core CI machine
          // that can take more than expect.poll's default 1 s (a toast was once 1 s late and failed CI).
          expect: { poll: { timeout: 10_000 } },
          fileParallelism: false,
        },
      },
    ],
  },
});
