/**
 * The saved plan: `belay plan --out FILE` writes it, `belay show` and
 * `belay apply` read it. Format version 1 (schemas/plan.v1.schema.json):
 * the Plan as canonical JSON (sorted keys, changes by path, two-space
 * indent) plus `integrity`, a sha256 over the canonical compact text of
 * everything else, so any edit is caught, and optionally `signature`, an
 * Ed25519 signature over that digest (signing.ts), which the digest leaves
 * out so a plan can be signed after it is sealed.
 *
 * Reading checks, in order: JSON syntax, the format version (a newer one is
 * refused with a clear message before the schema could confuse anyone), the
 * schema, then the digest. Each failure is a BelayError with its own code.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BelayError } from '../errors.js';
import { canonicalJson, prettyCanonicalJson } from './canonical-json.js';
import { writeFileAtomic } from '../local/write.js';
import { describeSchemaErrors, schemaValidator } from './schemas.js';
import type { Plan } from './types.js';

export const PLAN_FORMAT_VERSION = 1;

export interface PlanIntegrity {
  algorithm: 'sha256';
  digest: string;
}

/** A signature over a plan's integrity digest (signing.ts). */
export interface PlanSignature {
  algorithm: 'ed25519';
  /** sha256 (hex) of the signer's public key, DER SubjectPublicKeyInfo: tells keys apart, proves nothing. */
  keyId: string;
  /** The signature, base64. */
  value: string;
}

/** A plan as stored: the Plan, its integrity digest, and a signature when it was signed. */
export type PlanFile = Plan & { integrity: PlanIntegrity; signature?: PlanSignature };

/** The plan without what is computed over it (integrity, signature). */
function planContent(plan: Plan): Plan {
  const { integrity: _integrity, signature: _signature, ...content } = plan as PlanFile;
  return content as Plan;
}

/** sha256 over the canonical compact JSON of the plan without its `integrity` and `signature` members. */
export function planDigest(plan: Plan): string {
  return createHash('sha256').update(canonicalJson(planContent(plan)), 'utf8').digest('hex');
}

/** The plan with its integrity digest, as an object (a signature it carries stays: it signs the same digest). */
export function sealPlan(plan: Plan): PlanFile {
  const signature = (plan as PlanFile).signature;
  const content = planContent(plan);
  return { ...content, integrity: { algorithm: 'sha256', digest: planDigest(content) }, ...(signature ? { signature } : {}) };
}

/** The text of a plan file: canonical, indented, sealed. */
export function serializePlan(plan: Plan): string {
  return prettyCanonicalJson(sealPlan(plan));
}

/**
 * Parses and checks a plan file's text. `name` (a file name) is only used in
 * messages. Throws PLAN_INVALID (not JSON, not the schema), PLAN_VERSION (a
 * format this belay does not read) or PLAN_INTEGRITY (edited after it was made).
 */
export function parsePlan(text: string, name = 'the plan'): PlanFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BelayError('PLAN_INVALID', `${name} is not a plan file: ${(err as Error).message}`, {
      hint: 'make a new one with "belay plan --out FILE"',
      cause: err,
    });
  }
  const version = value !== null && typeof value === 'object' ? (value as { formatVersion?: unknown }).formatVersion : undefined;
  if (typeof version === 'number' && version !== PLAN_FORMAT_VERSION) {
    const newer = version > PLAN_FORMAT_VERSION;
    throw new BelayError('PLAN_VERSION', `${name} has plan format ${version}; this belay reads format ${PLAN_FORMAT_VERSION}`, {
      data: { formatVersion: version, supported: PLAN_FORMAT_VERSION },
      hint: newer ? 'it was made by a newer belay: upgrade belay, or plan again with this one' : 'plan again with this belay',
    });
  }
  const validate = schemaValidator('plan.v1');
  if (!validate(value)) {
    throw new BelayError('PLAN_INVALID', `${name} is not a valid plan file (schemas/plan.v1.schema.json)`, {
      detail: describeSchemaErrors(validate.errors ?? []),
      data: { errors: validate.errors ?? [] },
      hint: 'plan files are written by "belay plan --out FILE"; make a new one',
    });
  }
  const plan = value as PlanFile;
  const expected = planDigest(plan);
  if (plan.integrity.digest !== expected) {
    throw new BelayError('PLAN_INTEGRITY', `${name} was changed after it was made (integrity digest mismatch)`, {
      data: { recorded: plan.integrity.digest, computed: expected },
      hint: 'a plan must be applied as it was reviewed: make a new one with "belay plan --out FILE"',
    });
  }
  return plan;
}

export async function readPlanFile(file: string): Promise<PlanFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BelayError('LOCAL_IO', `cannot read plan file ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)}`, { cause: err, data: { path: file, errno: code } });
  }
  return parsePlan(text, file);
}

/** Writes the sealed plan to `file` atomically; returns what was written. */
export async function writePlanFile(file: string, plan: Plan): Promise<PlanFile> {
  const sealed = sealPlan(plan);
  await writeFileAtomic(file, prettyCanonicalJson(sealed));
  return sealed;
}
