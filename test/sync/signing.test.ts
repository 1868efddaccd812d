/**
 * Signed plans: a key pair from writeKeyPair (never overwriting, the private
 * half readable by its owner only), a signature that survives the plan file
 * and its schema, and each refusal: unsigned, signed by another key, a
 * signature that does not match the content; keys of the wrong kind.
 */
import { generateKeyPairSync } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBelayError } from '../../src/errors.js';
import { parsePlan, planDigest, serializePlan } from '../../src/sync/plan-file.js';
import { readPrivateKey, readPublicKey, signPlan, verifyPlanSignature, writeKeyPair } from '../../src/sync/signing.js';
import { tempDir } from '../helpers/boards.js';
import { samplePlan } from './sample-plan.js';

async function keys(name = 'k') {
  const dir = tempDir('belay-keys-');
  const pair = await writeKeyPair(join(dir, `${name}.key`), join(dir, `${name}.pub`));
  return { ...pair, dir, privateKey: await readPrivateKey(pair.privateFile), publicKey: await readPublicKey(pair.publicFile) };
}

function refusal(fn: () => unknown): { code?: string; reason?: unknown } {
  try {
    fn();
  } catch (err) {
    if (isBelayError(err)) return { code: err.code, reason: err.data.reason };
    throw err;
  }
  return {};
}

describe('signed plans', () => {
  it('writes a key pair once: the private key for its owner only, an existing file is never overwritten', async () => {
    const pair = await keys();
    expect(statSync(pair.privateFile).mode & 0o777).toBe(0o600);
    expect(pair.keyId).toMatch(/^[0-9a-f]{64}$/);
    const again = await writeKeyPair(pair.privateFile, join(pair.dir, 'other.pub')).catch((e: unknown) => e);
    expect(isBelayError(again, 'LOCAL_IO')).toBe(true);
    expect(() => statSync(join(pair.dir, 'other.pub'))).toThrow();
  });

  it('a signed plan survives the file (schema and integrity) and verifies with its public key', async () => {
    const { privateKey, publicKey, keyId } = await keys();
    const signed = signPlan(samplePlan(), privateKey);
    expect(signed.signature!.keyId).toBe(keyId);
    const read = parsePlan(serializePlan(signed));
    expect(read.signature).toEqual(signed.signature);
    // The digest leaves the signature out: signing does not change it.
    expect(read.integrity.digest).toBe(planDigest(samplePlan()));
    expect(() => verifyPlanSignature(read, publicKey)).not.toThrow();
  });

  it('refuses an unsigned plan, one signed by another key, and one whose signature does not match', async () => {
    const mine = await keys('mine');
    const theirs = await keys('theirs');
    const plan = parsePlan(serializePlan(samplePlan()));
    expect(refusal(() => verifyPlanSignature(plan, mine.publicKey))).toEqual({ code: 'PLAN_SIGNATURE', reason: 'unsigned' });
    const byThem = signPlan(plan, theirs.privateKey);
    expect(refusal(() => verifyPlanSignature(byThem, mine.publicKey))).toEqual({ code: 'PLAN_SIGNATURE', reason: 'other-key' });

    // A plan edited and sealed again keeps a valid integrity digest, but not a valid signature.
    const signed = signPlan(plan, mine.privateKey);
    const edited = parsePlan(serializePlan({ ...signed, profile: 'prod' }));
    expect(refusal(() => verifyPlanSignature(edited, mine.publicKey))).toEqual({ code: 'PLAN_SIGNATURE', reason: 'invalid' });
    // A signature of another plan, its key id kept.
    const other = signPlan({ ...plan, createdAt: '2000-01-01T00:00:00.000Z' }, mine.privateKey);
    expect(refusal(() => verifyPlanSignature({ ...signed, signature: other.signature }, mine.publicKey))).toEqual({ code: 'PLAN_SIGNATURE', reason: 'invalid' });
  });

  it('refuses keys of the wrong kind: a private key to verify, a public key to sign, an RSA key', async () => {
    const pair = await keys();
    expect((await readPublicKey(pair.privateFile).catch((e: unknown) => e)) as { code: string }).toMatchObject({ code: 'KEY_INVALID' });
    expect((await readPrivateKey(pair.publicFile).catch((e: unknown) => e)) as { code: string }).toMatchObject({ code: 'KEY_INVALID' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const rsaFile = join(pair.dir, 'rsa.pub');
    writeFileSync(rsaFile, rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    expect((await readPublicKey(rsaFile).catch((e: unknown) => e)) as { code: string }).toMatchObject({ code: 'KEY_INVALID' });
    expect((await readPublicKey(join(pair.dir, 'missing.pub')).catch((e: unknown) => e)) as { code: string }).toMatchObject({ code: 'LOCAL_IO' });
  });
});
