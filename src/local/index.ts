/** The local side: the one tree walker (ignores, hidden names, symlinks) and safe local writes. */
export { DEFAULT_IGNORES, ignoreMatcher, type EntryKind, type IgnoreMatcher } from './ignore.js';
export { walkTree, type WalkOptions, type LocalFile, type LocalTree, type SkippedEntry, type LinkProblem } from './walk.js';
export { AtomicFile, checkWriteTargets, ensureDir, writeFileAtomic, PART_PREFIX, type WriteTarget } from './write.js';
