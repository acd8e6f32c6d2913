import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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
      ],
    },
  },
);
