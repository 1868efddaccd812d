/**
 * Tests that serve an emulated board on a pseudo-terminal need socat. On a
 * machine without it they are skipped, and say why in their name (the
 * global setup, test/setup/tools.ts, also prints it once), so `npm test`
 * passes on a fresh machine; `.ci/run` installs socat so CI runs them.
 * Under CI (CI set) a missing socat fails instead: a skip there would hide
 * an install step gone missing.
 */
import { describe, it } from 'vitest';
import { socatAvailable } from '../../src/emulator/pty-bridge.js';

export const HAS_SOCAT = socatAvailable();
export const SOCAT_MISSING = 'socat is not installed (apt-get install socat; .ci/run installs it)';

/** describe() for tests that need socat: without it, skipped with the reason in its name. */
export function describeWithSocat(name: string, body: () => void, options: { timeout?: number } = {}): void {
  if (HAS_SOCAT) describe(name, options, body);
  else if (process.env.CI) {
    describe(name, () => {
      it('has socat to serve the board on a pty', () => {
        throw new Error(`${SOCAT_MISSING}: CI must install it`);
      });
    });
  } else describe.skip(`${name} [skipped: ${SOCAT_MISSING}]`, options, body);
}
