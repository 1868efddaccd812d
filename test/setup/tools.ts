/**
 * Vitest global setup: says once, before any test, which host tools are
 * missing and what is skipped for that (see test/helpers/socat.ts).
 */
import { socatAvailable } from '../../src/emulator/pty-bridge.js';
import { SOCAT_MISSING } from '../helpers/socat.js';

export default function setup(): void {
  if (!socatAvailable()) console.warn(`\n  note: ${SOCAT_MISSING}: tests over a pseudo-terminal are skipped\n`);
}
