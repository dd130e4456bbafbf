import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (`main`) and ESM (`module`) builds without an exports map.
    // Node — and so Pothos and yoga, which vitest leaves external — loads the CommonJS one;
    // Vite would resolve our own `import 'graphql'` to the ESM one. Two copies break
    // graphql's instanceof checks, so tests use the file Node uses.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
