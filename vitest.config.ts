import { defineConfig } from 'vitest/config';

// Integration tests boot emulated boards (wasm workers) and pseudo-terminals,
// and CLI tests start the built binary several times per test: on a shared,
// busy machine one such test can take a minute, and a timed-out test keeps
// running behind the next one on a shared board. Generous timeouts; files
// run in parallel only up to the 2 cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Prints once which host tools (socat) are missing and what is skipped.
    globalSetup: ['test/setup/tools.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
