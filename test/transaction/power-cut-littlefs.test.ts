// The transaction power-cut sweep (power-cut-sweep.ts) on a littlefs flash: rename replaces atomically.
import { powerCutSweep } from './power-cut-sweep.js';

powerCutSweep('littlefs flash', {});
