// The apply power-cut sweep (power-cut.ts) on FAT flash: replacing a file by rename is
// remove-then-rename, two writes a cut can fall between; the journal covers the gap.
import { powerCutSuite } from './power-cut.js';

powerCutSuite('FAT', { filesystem: 'fat' });
