import { defineConfig } from 'vitest/config';

// Integration tests boot emulated boards (wasm workers) and pseudo-terminals:
// they get generous timeouts, and files run in parallel only up to the 2 cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Prints once which host tools (socat) are missing and what is skipped.
    globalSetup: ['test/setup/tools.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
