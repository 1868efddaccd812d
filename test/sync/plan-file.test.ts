/**
 * The saved plan: canonical text, integrity digest, schema, version refusal.
 * `fixtures/plan.v1.json` is a format-1 file as written when the format was
 * fixed: every later belay must read it back to the same bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBelayError } from '../../src/errors.js';
import { parsePlan, planDigest, readPlanFile, serializePlan, writePlanFile } from '../../src/sync/plan-file.js';
import { canonicalJson } from '../../src/sync/canonical-json.js';
import { tempDir } from '../helpers/boards.js';
import { samplePlan } from './sample-plan.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'plan.v1.json');

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (isBelayError(err)) return err.code;
    throw err;
  }
  return undefined;
}

describe('plan file', () => {
  it('the v1 fixture reads back to identical bytes', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const plan = parsePlan(text, 'fixture');
    expect(serializePlan(plan)).toBe(text);
    expect(plan.formatVersion).toBe(1);
    expect(plan.changes.length).toBeGreaterThan(5);
  });

  it('writes the sample plan as in its golden file (sorted keys, changes by path, two-space indent)', async () => {
    await expect(serializePlan(samplePlan())).toMatchFileSnapshot('./golden/sample-plan.json');
  });

  it('is the same text however the plan object was built', () => {
    const plan = samplePlan();
    const reversed = JSON.parse(JSON.stringify(plan), (_key, value: unknown) =>
      value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
    ) as typeof plan;
    expect(Object.keys(reversed)[0]).toBe('warnings');
    expect(serializePlan(reversed)).toBe(serializePlan(plan));
  });

  it('any edit breaks the integrity digest', () => {
    const text = serializePlan(samplePlan());
    const edits: Array<(p: Record<string, any>) => void> = [
      (p) => (p.changes[0].after.size += 1),
      (p) => (p.board.id = 'belay:other'),
      (p) => p.changes.pop(),
      (p) => (p.profile = 'prod'),
      (p) => (p.manifest.dirs = []),
      (p) => (p.changes[1].review.diff = 'harmless?'),
    ];
    for (const edit of edits) {
      const plan = JSON.parse(text) as Record<string, any>;
      edit(plan);
      expect(code(() => parsePlan(JSON.stringify(plan, null, 2)))).toBe('PLAN_INTEGRITY');
    }
    // Whitespace and key order are not content: the digest is over canonical JSON.
    expect(parsePlan(JSON.stringify(JSON.parse(text))).integrity.digest).toBe(JSON.parse(text).integrity.digest);
  });

  it('refuses a newer format before looking further, and names both versions', () => {
    const plan = JSON.parse(serializePlan(samplePlan())) as Record<string, unknown>;
    plan.formatVersion = 2;
    plan.somethingNew = { a: 1 };
    try {
      parsePlan(JSON.stringify(plan));
      expect.unreachable();
    } catch (err) {
      expect(isBelayError(err, 'PLAN_VERSION')).toBe(true);
      expect((err as { data: Record<string, unknown> }).data).toMatchObject({ formatVersion: 2, supported: 1 });
    }
  });

  it('refuses what is not a plan: not JSON, wrong shapes, unknown keys, bad paths', () => {
    const good = JSON.parse(serializePlan(samplePlan())) as Record<string, any>;
    const reseal = (p: Record<string, any>) => {
      const { integrity: _i, ...rest } = p;
      return JSON.stringify({ ...rest, integrity: { algorithm: 'sha256', digest: planDigest(rest as never) } });
    };
    expect(code(() => parsePlan('not json'))).toBe('PLAN_INVALID');
    expect(code(() => parsePlan('[]'))).toBe('PLAN_INVALID');
    expect(code(() => parsePlan('{"formatVersion": "1"}'))).toBe('PLAN_INVALID');
    const broken: Array<(p: Record<string, any>) => void> = [
      (p) => (p.extra = true),
      (p) => (p.changes[0].action = 'chmod'),
      (p) => (p.changes[0].path = 'relative.py'),
      (p) => delete p.changes[0].after,
      (p) => (p.changes[0].after.hash = 'XYZ'),
      (p) => (p.hashAlgorithm = 'md5'),
      (p) => (p.board.id = "uid:'); os.remove('main.py"),
      (p) => delete p.configDigest,
      (p) => (p.changes.find((c: { action: string }) => c.action === 'delete').after = { size: 1, hash: 'a'.repeat(64) }),
    ];
    for (const edit of broken) {
      const plan = structuredClone(good);
      edit(plan);
      expect(code(() => parsePlan(reseal(plan)))).toBe('PLAN_INVALID');
    }
    // The resealing helper itself produces a valid file when nothing is broken.
    expect(parsePlan(reseal(structuredClone(good))).changes).toEqual(good.changes);
  });

  it('writes atomically and reads back; a missing file is LOCAL_IO', async () => {
    const dir = tempDir();
    const file = join(dir, 'sub', 'plan.json');
    const written = await writePlanFile(file, samplePlan());
    const read = await readPlanFile(file);
    expect(read).toEqual(written);
    expect(canonicalJson(read)).toBe(canonicalJson(written));
    await expect(readPlanFile(join(dir, 'nope.json'))).rejects.toMatchObject({ code: 'LOCAL_IO' });
    writeFileSync(file, readFileSync(file, 'utf8').replace('"update"', '"create"'));
    await expect(readPlanFile(file)).rejects.toMatchObject({ code: 'PLAN_INTEGRITY' });
  });
});
