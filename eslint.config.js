// Lint rules, and the import boundaries of ../shared/STYLE.md: which code may import what.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.toolchain/', 'test-output/', 'coverage/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['scripts/**/*.mjs', '*.js', '*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'electron/**/*.ts'],
    languageOptions: { globals: globals.node },
  },
  // shared/: pure TypeScript, imports nothing but shared/ and zod.
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { regex: '^node:', message: 'shared/ runs everywhere: no Node APIs.' },
        { regex: '^(electron|react|imapflow|mailparser|better-sqlite3|ws)$', message: 'shared/ imports only shared/ and zod.' },
        { regex: '\\.\\./(electron|renderer|test)/', message: 'shared/ imports only shared/.' },
      ]),
    },
  },
  // renderer/: DOM only; reaches the engine only through its ipc module.
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': restrict([
        { regex: '^node:', message: 'The renderer is a web page: no Node APIs.' },
        {
          regex: '^(electron|imapflow|mailparser|better-sqlite3|ws)$',
          message: 'The renderer talks to the engine only through window.tegami.',
        },
        { regex: '\\.\\./electron/', message: 'The renderer may import shared/, never electron/.' },
      ]),
    },
  },
  {
    files: ['renderer/vite.config.ts'],
    languageOptions: { globals: globals.node },
    rules: { 'no-restricted-imports': 'off' },
  },
  // The desktop app's engine process runs plain Node: no electron there either.
  {
    files: ['electron/engine-host/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([{ regex: '^electron$', message: 'The engine process is plain Node: never import electron.' }]),
    },
  },
  // The engine never imports electron or the renderer; within it, one owner per library (tests
  // are exempt: a second imapflow client plays "the other device").
  ...engineZones(),
);

function engineZones() {
  const owners = { imap: 'imapflow', db: 'better-sqlite3', mime: 'mailparser' };
  const base = [
    { regex: '^electron$', message: 'The engine runs in plain Node too: never import electron.' },
    { regex: '\\.\\./renderer/', message: 'The engine never imports the renderer.' },
  ];
  const libsExcept = (own) =>
    Object.entries(owners)
      .filter(([owner]) => owner !== own)
      .map(([owner, lib]) => ({ regex: `^${lib}$`, message: `Only electron/engine/${owner}/ imports ${lib}.` }));
  return [
    {
      files: ['electron/engine/**/*.ts', 'electron/web/**/*.ts', 'electron/cli/**/*.ts'],
      ignores: [...Object.keys(owners).map((o) => `electron/engine/${o}/**`), '**/*.test.ts'],
      rules: { 'no-restricted-imports': restrict([...base, ...libsExcept(null)]) },
    },
    ...Object.keys(owners).map((owner) => ({
      files: [`electron/engine/${owner}/**/*.ts`],
      ignores: ['**/*.test.ts'],
      rules: { 'no-restricted-imports': restrict([...base, ...libsExcept(owner)]) },
    })),
  ];
}
