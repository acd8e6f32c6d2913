import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// One no-restricted-syntax list per file: a later config block replaces an earlier block's list rather than
// adding to it, so the blocks below each spell out the whole list for the files they cover.
const NO_WALL_CLOCK = [
  {
    selector: "MemberExpression[object.name='Date'][property.name='now']",
    message: 'read time from ctx.clock',
  },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'read time from ctx.clock' },
  { selector: "CallExpression[callee.name='Date']", message: 'read time from ctx.clock' },
];

// Habit 5 (STYLE.md): errors are told apart by err.code, which survives bundling, realms and duplicated
// module copies; instanceof does not. Plain `instanceof Error` (is it an error at all?) stays allowed.
const NO_INSTANCEOF_ERROR = [
  {
    selector: "BinaryExpression[operator='instanceof'][right.name=/^(?!Error$).*Error$/]",
    message: 'switch on err.code, not instanceof (STYLE.md habit 5)',
  },
  {
    selector: "BinaryExpression[operator='instanceof'][right.property.name=/^(?!Error$).*Error$/]",
    message: 'switch on err.code, not instanceof (STYLE.md habit 5)',
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Habit 2 (STYLE.md): only bin/ and src/io/ touch the process's globals.
    files: ['src/**/*.ts'],
    ignores: ['src/io/system.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'read env from the Context' },
        { object: 'process', property: 'exit', message: 'only bin/apikit.js ends the process' },
        { object: 'process', property: 'stdout', message: 'write through ctx.io' },
        { object: 'process', property: 'stderr', message: 'write through ctx.io' },
        { object: 'process', property: 'stdin', message: 'read through ctx.io' },
        { object: 'process', property: 'platform', message: 'take the platform from the Context' },
      ],
    },
  },
  {
    // Time comes from ctx.clock, so tests can fix it; only src/io/clock.ts (re-exported by src/io/system.ts, and
    // on its own so that the library can use it without the terminal streams) reads the real clock. Errors are
    // told apart by code; only src/errors.ts, which defines the classes, may use instanceof on them. Those files
    // get their own blocks below, with the half of the list that applies to each.
    files: ['src/**/*.ts'],
    ignores: ['src/io/clock.ts', 'src/errors.ts'],
    rules: { 'no-restricted-syntax': ['error', ...NO_WALL_CLOCK, ...NO_INSTANCEOF_ERROR] },
  },
  {
    files: ['src/io/clock.ts'],
    rules: { 'no-restricted-syntax': ['error', ...NO_INSTANCEOF_ERROR] },
  },
  {
    files: ['src/errors.ts'],
    rules: { 'no-restricted-syntax': ['error', ...NO_WALL_CLOCK] },
  },
);
