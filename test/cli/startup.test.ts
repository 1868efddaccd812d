/**
 * Start-up loads only what a command uses: `--version` and `exec` load
 * neither the YAML parser nor the schema validator (nor the planner or
 * views, nor other commands' modules), and an emulated board never loads
 * the serialport bindings.
 *
 * The CLI is one bundled script (scripts/bundle-cli.mjs) in which each
 * module that is not needed from the start is a function run when it is
 * first imported, named after its source file ("src/device/device.ts",
 * "node_modules/commander/index.js"). V8's coverage of the bundle says
 * which of them ran; the packages left outside the bundle show as files
 * required from node_modules.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/boards.js';
import { BIN, cliBoard, cliEnv, tempProject } from '../helpers/cli.js';
import { describeWithSocat } from '../helpers/socat.js';

const LOG = join(import.meta.dirname, '..', 'fixtures', 'load-log.cjs');

interface Startup {
  /** Modules of the bundle that ran (source paths: src/..., node_modules/...). */
  modules: string[];
  /** Files required from node_modules (the packages outside the bundle). */
  required: string[];
  /** Node's own modules. */
  builtins: string[];
  stdout: string;
}

function startup(args: string[], cwd = tempProject('belay-startup-')): Promise<Startup> {
  const coverage = tempDir('belay-startup-coverage-');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-r', LOG, BIN, ...args], { cwd, env: cliEnv(cwd, { NODE_V8_COVERAGE: coverage }), timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`belay ${args.join(' ')} failed: ${stderr}`));
      const lines = (kind: string) => stderr.split('\n').filter((line) => line.startsWith(`${kind} `)).map((line) => line.slice(kind.length + 1));
      const required = lines('REQUIRED').filter((path) => path.includes('node_modules'));
      resolve({ modules: bundleModulesRun(coverage), required, builtins: lines('BUILTIN'), stdout });
    });
  });
}

/** The bundle's module functions (named after their source files) that ran at least once, from a NODE_V8_COVERAGE folder. */
function bundleModulesRun(coverageDir: string): string[] {
  const run = new Set<string>();
  let sawBundle = false;
  for (const name of readdirSync(coverageDir)) {
    const { result } = JSON.parse(readFileSync(join(coverageDir, name), 'utf8')) as { result: Array<{ url: string; functions: Array<{ functionName: string; ranges: Array<{ count: number }> }> }> };
    for (const script of result.filter((entry) => entry.url.endsWith('/dist/cli/cli.js'))) {
      sawBundle = true;
      for (const fn of script.functions) if (/^(src|node_modules)\//.test(fn.functionName) && fn.ranges[0].count > 0) run.add(fn.functionName);
    }
  }
  if (!sawBundle) throw new Error('no coverage of dist/cli/cli.js: was the CLI run from its bundle?');
  return [...run];
}

const packageOf = (path: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
const HEAVY = ['yaml', 'ajv', 'listr2', 'diff'];

describe('start-up', () => {
  it('--version runs commander and belay\'s own small modules only', async () => {
    const { modules, required, stdout } = await startup(['--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(new Set(modules.map(packageOf).filter(Boolean))).toEqual(new Set(['commander']));
    expect(required).toEqual([]);
    expect(modules.filter((path) => /^src\/(config|sync|emulator|device|protocol|transport)\//.test(path))).toEqual([]);
    expect(modules.filter((path) => path.startsWith('src/cli/commands/'))).toEqual([]);
  });

  it('exec on the emulated board runs no YAML, schema, planner, view or serialport code', async () => {
    const { modules, required, stdout } = await startup(['--port', 'emulator', 'exec', 'print(6*7)']);
    const packages = new Set(required.map(packageOf).filter(Boolean));
    for (const heavy of [...HEAVY, '@serialport/stream', '@serialport/bindings-cpp']) expect(packages.has(heavy), heavy).toBe(false);
    expect(modules.filter((path) => /^src\/(sync|cli\/views)\//.test(path) || /^src\/config\/(load|schema|document)\.ts$/.test(path))).toEqual([]);
    // it did run on the board, an emulated one
    expect(stdout).toBe('42\n');
    expect(modules).toContain('src/emulator/emulator-transport.ts');
    // only the module of its own command
    expect(modules.filter((path) => path.startsWith('src/cli/commands/'))).toEqual(['src/cli/commands/device-commands.ts']);
    // without the capability probe, so without the filesystem engine
    expect(modules.filter((path) => path.startsWith('src/device/fs/'))).toEqual([]);
  });

  it('ls runs the filesystem engine', async () => {
    const { modules } = await startup(['--port', 'emulator', 'ls', '/']);
    expect(modules).toContain('src/device/fs/device-fs.ts');
  });

  it('put of a small file where nothing is compressed loads no node:zlib (an unpaced link)', async () => {
    const cwd = tempProject('belay-startup-');
    writeFileSync(join(cwd, 'main.py'), 'print("hello")\n'.repeat(200));
    const { modules, builtins } = await startup(['--port', 'emulator', 'put', 'main.py', '/main.py'], cwd);
    // it did upload, through the module that would compress
    expect(modules).toContain('src/device/fs/compress.ts');
    expect(modules).toContain('src/device/fs/upload-binary.ts');
    expect(builtins).not.toContain('zlib');
  });
});

describeWithSocat('start-up on a serial port', () => {
  it('exec drives the native addon directly: none of serialport\'s streams, parsers, listing or logging', async () => {
    const cwd = tempProject('belay-startup-');
    const board = await cliBoard('pty', cwd);
    try {
      const { required, builtins, modules } = await startup(['--port', board.port, 'exec', 'pass'], cwd);
      const packages = new Set(required.map((path) => packageOf(path)).filter(Boolean));
      expect(required.some((path) => path.endsWith('.node'))).toBe(true);
      expect([...packages].sort()).toEqual(['@serialport/bindings-cpp', 'node-gyp-build']);
      expect(required.filter((path) => /bindings-cpp\/dist\//.test(path)).map((path) => path.slice(path.lastIndexOf('/') + 1))).toEqual(['serialport-bindings.js']);
      expect(modules).toContain('src/transport/serial-port.ts');
      expect(modules).not.toContain('src/transport/discovery.ts');
      // nor Node modules a short command does not need: perf_hooks (the
      // performance global), the ES module loader's fs/promises,
      // child_process (commander's, for subcommands that are programs),
      // crypto and zlib (file commands hash and compress), v8 (transfers
      // switch the optimising compiler off with it)
      for (const heavy of ['perf_hooks', 'fs/promises', 'child_process', 'crypto', 'zlib', 'v8']) expect(builtins).not.toContain(heavy);
    } finally {
      await board.close();
    }
  });
});
