/**
 * The sync layer's public face: make a plan against a board, the pure
 * planner, plan files (signed or not), apply, and the states a plan compares.
 */
export { makePlan, type MakePlanOptions, type MadePlan } from './make-plan.js';
export { planChanges, summarise, isEmptyPlan, type PlanInput, type PlanSettings, type PlanHeader } from './planner.js';
export { compare as compareThreeWay, resolveConflict, sameFile, type Comparison, type SideChange } from './conflicts.js';
export { parsePlan, readPlanFile, writePlanFile, serializePlan, sealPlan, planDigest, PLAN_FORMAT_VERSION, type PlanFile, type PlanIntegrity, type PlanSignature } from './plan-file.js';
export { applyPlan, type ApplyOptions, type ApplyResult, type ApplyHooks, type ApplyPhase, type PhaseDetail, type StageProgress } from './apply.js';
export { checkPlanSettings, checkPlanAgainstBoard, type CheckedBoard, type StalePath } from './stale.js';
export { signPlan, verifyPlanSignature, readPrivateKey, readPublicKey, writeKeyPair, keyIdOf, shortKeyId, type KeyPairFiles } from './signing.js';
export { parseManifest, readManifest, MANIFEST_FORMAT_VERSION } from './manifest.js';
export { readActual } from './actual.js';
export { readDesired, type DesiredConfig, type DesiredOptions } from './desired.js';
export { readBoardIdentity, findBoardIdentity } from './board-identity.js';
export { configDigest } from './config-digest.js';
export { HashCache, hashCacheFile } from './hash-cache.js';
export { DEFAULT_DIFF_LIMIT } from './review.js';
export { BELAY_DIR, MANIFEST_PATH, BOARD_ID_PATH } from './records.js';
export type {
  Action,
  ActualEntry,
  ActualState,
  BoardIdentity,
  Change,
  Conflict,
  ConflictKind,
  DesiredFile,
  DesiredState,
  FileSource,
  FileState,
  Manifest,
  ManifestContent,
  NotManaged,
  Plan,
  PlanHooks,
  PlanPhase,
  PlanSummary,
  Reason,
  Resolution,
  Review,
} from './types.js';
