// The emulated board's worker, when tests run from src/, runs the sources
// under test (transpiled on demand), never a dist/ build that may be stale.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { workerEntry } from '../../src/emulator/worker-entry.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { Device } from '../../src/device/device.js';
import { tempDir } from '../helpers/boards.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

describe('the worker run from sources', () => {
  it('is the current sources transpiled, not dist/', () => {
    const entry = workerEntry();
    expect(relative(join(SRC, '..', 'dist'), entry).startsWith('..')).toBe(true);
    expect(entry).toContain(join('node_modules', '.cache'));
    const modules = ['emulator/board-worker.ts', 'emulator/flash.ts', 'emulator/options.ts'];
    const root = join(entry, '..', '..');
    for (const rel of modules) {
      const expected = ts.transpileModule(readFileSync(join(SRC, rel), 'utf8'), {
        fileName: rel,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      expect(readFileSync(join(root, rel.replace(/\.ts$/, '.js')), 'utf8')).toBe(expected);
    }
    expect(readFileSync(join(root, 'emulator', 'firmware.py'), 'utf8')).toBe(readFileSync(join(SRC, 'emulator', 'firmware.py'), 'utf8'));
  });

  it('boots a board', async () => {
    const board = await EmulatorTransport.open({ dir: join(tempDir(), 'flash'), runMain: false });
    try {
      const device = await Device.over(board);
      expect((await device.exec('print(6*7)')).stdout.toString().trim()).toBe('42');
    } finally {
      await board.close();
    }
  });
});
