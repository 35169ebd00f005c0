import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Libraries are what apps, tools and tests build on, so they never reach up into them: a relative path from libs/ that
 * climbs into apps/, tools/, scripts/ or test/ is an error, as an import, a dynamic import() or a require().
 */
const OUTSIDE_LIBS = '^(\\.\\./)+(apps|tools|scripts|test)(/|$)';
// The same in a selector (esquery ends a regular expression at any '/').
const OUTSIDE_LIBS_IN_SELECTOR = OUTSIDE_LIBS.replaceAll('/', '\\x2F');
const OUTSIDE_LIBS_MESSAGE = 'libs/ must not import apps/, tools/, scripts/ or test/: move what is shared into a lib';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.hub/**', 'coverage/**', 'test-artifacts/**', '**/*.html'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['libs/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: OUTSIDE_LIBS, message: OUTSIDE_LIBS_MESSAGE }] }],
      'no-restricted-syntax': [
        'error',
        {
          selector: `CallExpression[callee.name='require'] > Literal.arguments:first-child[value=/${OUTSIDE_LIBS_IN_SELECTOR}/]`,
          message: OUTSIDE_LIBS_MESSAGE,
        },
        {
          selector: `ImportExpression > Literal.source[value=/${OUTSIDE_LIBS_IN_SELECTOR}/]`,
          message: OUTSIDE_LIBS_MESSAGE,
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
