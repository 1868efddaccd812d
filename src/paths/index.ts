/** Board paths (POSIX, canonical) and their mapping to host paths. */
export * from './board.js';
export * from './local.js';
