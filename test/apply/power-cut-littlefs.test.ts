// The apply power-cut sweep (power-cut.ts) on littlefs flash, where a rename replaces in one step.
import { powerCutSuite } from './power-cut.js';

powerCutSuite('littlefs', {});
