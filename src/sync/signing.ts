/**
 * Signed plans: what was reviewed is what runs. A reviewer's pipeline signs
 * a plan file (`belay plan --out F --sign KEYFILE`); a flashing station that
 * requires a signature (`belay apply F --require-signature PUBKEYFILE`, or
 * `device.requireSignature` in belay.yaml) refuses a plan that is unsigned
 * or signed by any other key.
 *
 * Ed25519 through node:crypto. The signature covers the plan's integrity
 * digest (plan-file.ts), which covers every other member of the plan, so a
 * signed plan cannot be edited without breaking either. The signed message
 * is a fixed context line followed by the digest, so a signature over a
 * plan can never be mistaken for a signature over anything else. Keys are
 * PEM files: PKCS#8 for the private key (written readable by its owner
 * only), SubjectPublicKeyInfo for the public one.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import { BelayError } from '../errors.js';
import { planDigest, type PlanFile, type PlanSignature } from './plan-file.js';
import type { Plan } from './types.js';

const CONTEXT = 'belay plan signature v1\n';

/** The bytes a plan signature signs: the context line and the plan's integrity digest. */
export function signedMessage(digest: string): Buffer {
  return Buffer.from(`${CONTEXT}${digest}`, 'utf8');
}

/** sha256 (hex) of a public key's DER SubjectPublicKeyInfo: a name for the key. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The short form of a key id people read (the first 16 hex digits). */
export function shortKeyId(keyId: string): string {
  return keyId.slice(0, 16);
}

/** The plan with its integrity digest and a signature by `privateKey`. */
export function signPlan(plan: Plan, privateKey: KeyObject): PlanFile {
  checkKey(privateKey, 'private', 'the signing key');
  const digest = planDigest(plan);
  const signature: PlanSignature = { algorithm: 'ed25519', keyId: keyIdOf(privateKey), value: sign(null, signedMessage(digest), privateKey).toString('base64') };
  const { integrity: _integrity, signature: _old, ...content } = plan as PlanFile;
  return { ...(content as Plan), integrity: { algorithm: 'sha256', digest }, signature };
}

/**
 * Refuses (PLAN_SIGNATURE) a plan that is not signed by `publicKey`:
 * unsigned (`data.reason: "unsigned"`), signed by another key
 * (`"other-key"`), or whose signature does not verify (`"invalid"`: the
 * plan or the signature was changed). `name` is the plan file, for messages.
 */
export function verifyPlanSignature(plan: PlanFile, publicKey: KeyObject, name = 'the plan'): void {
  checkKey(publicKey, 'public', 'the verification key');
  const expected = keyIdOf(publicKey);
  const hint = 'apply only plans signed by the reviewers\' key: plan again and sign it with "belay plan --out FILE --sign KEYFILE"';
  const signature = plan.signature;
  if (!signature) {
    throw new BelayError('PLAN_SIGNATURE', `${name} is not signed, and this apply requires a signature by key ${shortKeyId(expected)}`, { data: { reason: 'unsigned', expected }, hint });
  }
  if (signature.keyId !== expected) {
    throw new BelayError('PLAN_SIGNATURE', `${name} is signed by key ${shortKeyId(signature.keyId)}, not by the required key ${shortKeyId(expected)}`, {
      data: { reason: 'other-key', expected, found: signature.keyId },
      hint,
    });
  }
  const value = Buffer.from(signature.value, 'base64');
  if (value.length !== 64 || !verify(null, signedMessage(planDigest(plan)), publicKey, value)) {
    throw new BelayError('PLAN_SIGNATURE', `${name} has a signature by key ${shortKeyId(expected)} that does not match its content (the plan or its signature was changed)`, {
      data: { reason: 'invalid', expected },
      hint,
    });
  }
}

function checkKey(key: KeyObject, type: 'private' | 'public', what: string): void {
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw new BelayError('KEY_INVALID', `${what} is not an Ed25519 ${type} key`, { hint: 'make a key pair with "belay keygen"' });
  }
}

async function readKeyText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BelayError('LOCAL_IO', `cannot read key file ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)}`, { cause: err, data: { path: file, errno: code } });
  }
}

/** Reads an Ed25519 private key (PEM, PKCS#8) from `file`. */
export async function readPrivateKey(file: string): Promise<KeyObject> {
  const text = await readKeyText(file);
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch (err) {
    const isPublic = /-----BEGIN PUBLIC KEY-----/.test(text);
    throw new BelayError('KEY_INVALID', `${file} is not a private key${isPublic ? ' (it is a public key: sign with the private one)' : ''}`, {
      cause: err,
      hint: 'make a key pair with "belay keygen"',
    });
  }
  checkKey(key, 'private', file);
  return key;
}

/**
 * Reads an Ed25519 public key (PEM, SubjectPublicKeyInfo) from `file`. A
 * private key is refused: the station that verifies needs only the public
 * half, and should never hold the key that signs.
 */
export async function readPublicKey(file: string): Promise<KeyObject> {
  const text = await readKeyText(file);
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new BelayError('KEY_INVALID', `${file} is a private key; verification takes the public key`, { hint: 'give the .pub file "belay keygen" wrote, and keep the private key where plans are signed' });
  }
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch (err) {
    throw new BelayError('KEY_INVALID', `${file} is not a public key`, { cause: err, hint: 'give the .pub file "belay keygen" wrote' });
  }
  checkKey(key, 'public', file);
  return key;
}

export interface KeyPairFiles {
  privateFile: string;
  publicFile: string;
  keyId: string;
}

/**
 * Makes an Ed25519 key pair and writes it to `privateFile` (PKCS#8 PEM,
 * mode 0600) and `publicFile` (SPKI PEM). Never overwrites: an existing
 * file is refused (LOCAL_IO with errno EEXIST) before either is written.
 */
export async function writeKeyPair(privateFile: string, publicFile: string): Promise<KeyPairFiles> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const created: string[] = [];
  try {
    for (const [file, text, mode] of [
      [privateFile, privatePem, 0o600],
      [publicFile, publicPem, 0o644],
    ] as const) {
      const handle = await open(file, 'wx', mode).catch((err: NodeJS.ErrnoException) => {
        throw new BelayError('LOCAL_IO', `cannot write ${file}: ${err.code === 'EEXIST' ? 'it exists (belay never overwrites a key)' : (err.code ?? err.message)}`, {
          cause: err,
          data: { path: file, errno: err.code },
        });
      });
      created.push(file);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  } catch (err) {
    for (const file of created) await rm(file, { force: true });
    throw err;
  }
  return { privateFile, publicFile, keyId: keyIdOf(publicKey) };
}
