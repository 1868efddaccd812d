// The apply link-drop sweep (link-drop.ts) on FAT flash.
import { linkDropSuite } from './link-drop.js';

linkDropSuite('FAT', { filesystem: 'fat' });
