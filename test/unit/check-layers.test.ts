// The dependency rule check (scripts/check-layers.mjs) against small source
// trees that break one rule each, and against the real src/.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempTree } from '../helpers/tree.js';
import { checkLayers } from '../../scripts/check-layers.mjs';

/** A src/ tree of the given modules. */
const src = (files: Record<string, string>) => tempTree(files, 'belay-layers-');

const CLEAN = {
  'errors.ts': 'export class BelayError extends Error {}\n',
  'paths/board.ts': "import { BelayError } from '../errors.js';\nexport const x = BelayError;\n",
  'paths/reserved.ts': 'export const r = 1;\n',
  'transport/types.ts': 'export interface Transport { id: number }\n',
  'protocol/raw-repl.ts': "import type { Transport } from '../transport/types.js';\nexport type T = Transport;\n",
  'device/device.ts': "import { x } from '../paths/board.js';\nimport { r } from '../paths/reserved.js';\nexport const d = [x, r];\n",
  'sync/apply.ts': "import { d } from '../device/device.js';\nimport { r } from '../paths/reserved.js';\nexport const a = [d, r];\n",
  'cli/main.ts': "import { a } from '../sync/apply.js';\nconsole.log(a, process.env.HOME);\nprocess.stdout.write('x');\n",
};

const rules = (files: Record<string, string>) => checkLayers(src({ ...CLEAN, ...files })).map((v) => [v.rule, v.file]);

describe('check-layers', () => {
  it('passes a tree that keeps the rules (cli may print and read the environment)', () => {
    expect(rules({})).toEqual([]);
  });

  it('fails on an upward import, static, re-exported, dynamic or type-only', () => {
    expect(rules({ 'protocol/up.ts': "import { d } from '../device/device.js';\nexport const u = d;\n" })).toEqual([['upward', 'protocol/up.ts']]);
    expect(rules({ 'transport/up.ts': "export * from '../protocol/raw-repl.js';\n" })).toEqual([['upward', 'transport/up.ts']]);
    expect(rules({ 'config/up.ts': "export const later = () => import('../sync/apply.js');\n" })).toEqual([['upward', 'config/up.ts']]);
    expect(rules({ 'device/up.ts': "export type A = import('../cli/main.js').X;\n" })).toEqual([['upward', 'device/up.ts']]);
    // Equal ranks are separate layers too.
    expect(rules({ 'hashing/h.ts': "import { x } from '../paths/board.js';\nexport const h = x;\n" })).toEqual([['upward', 'hashing/h.ts']]);
  });

  it('fails on an import cycle, even through type-only imports', () => {
    const found = rules({
      'cli/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'cli/b.ts': "import type { a } from './a.js';\nexport const b = 1 as unknown as typeof a;\n",
    });
    expect(found).toEqual([['cycle', 'cli/a.ts']]);
  });

  it('fails on console, process.stdout/stderr/env outside cli/, however reached', () => {
    const uses = [
      "console.error('x');",
      "process.stdout.write('x');",
      "process.stderr.write('x');",
      'export const e = process.env.X;',
      "export const e = process['env'];",
      'const { env } = process;\nexport const e = env;',
      'const p = process;\nexport const e = p;',
    ];
    for (const use of uses) expect(rules({ 'config/noisy.ts': `${use}\n` })).toEqual([['cli-only-global', 'config/noisy.ts']]);
    // Words in strings and comments, and property names, are not uses.
    expect(rules({ 'config/quiet.ts': "// console.log(process.env)\nexport const o = { console: 'process.env' };\nexport const n = o.console;\nexport const a = process.argv;\n" })).toEqual([]);
  });

  it('fails when a folder imports what only some may use', () => {
    expect(rules({ 'emulator/board.ts': 'export const b = 1;\n', 'device/open.ts': "import { b } from '../emulator/board.js';\nexport const o = b;\n" })).toEqual([
      ['restricted', 'device/open.ts'],
    ]);
    expect(rules({ 'config/sneaky.ts': "import { r } from '../paths/reserved.js';\nexport const s = r;\n" })).toEqual([['restricted', 'config/sneaky.ts']]);
  });

  it('fails on a folder with no place in the layers', () => {
    expect(rules({ 'misc/x.ts': 'export const x = 1;\n' })).toEqual([['unknown-layer', 'misc/x.ts']]);
  });

  it('passes on this repository', () => {
    expect(checkLayers(join(import.meta.dirname, '..', '..', 'src'))).toEqual([]);
  });
});
