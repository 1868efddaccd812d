// The transaction power-cut sweep (power-cut-sweep.ts) on a FAT flash: replacing a file by
// rename is remove-then-rename, two mutations a cut can fall between.
import { powerCutSweep } from './power-cut-sweep.js';

powerCutSweep('FAT flash', { filesystem: 'fat' });
