// The apply link-drop sweep (link-drop.ts) on littlefs flash.
import { linkDropSuite } from './link-drop.js';

linkDropSuite('littlefs', {});
