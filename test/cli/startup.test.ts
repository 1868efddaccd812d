/**
 * Start-up loads only what a command uses: `--version` and `exec` load
 * neither the YAML parser nor the schema validator (nor the planner or
 * views, nor other commands' modules), and an emulated board never loads
 * the serialport bindings.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cliBoard, cliEnv, tempProject } from '../helpers/cli.js';
import { describeWithSocat } from '../helpers/socat.js';

const LOG = join(import.meta.dirname, '..', 'fixtures', 'load-log.mjs');

/** The modules `belay ARGS` loads: ESM URLs and CommonJS entry points imported from ESM, or (`REQUIRED`) every CommonJS file. */
function loaded(args: string[], kind: 'LOADED' | 'REQUIRED' = 'LOADED'): Promise<string[]> {
  const cwd = tempProject('belay-startup-');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', LOG, BIN, ...args], { cwd, env: cliEnv(cwd), timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) return reject(new Error(`belay ${args.join(' ')} failed: ${stderr}`));
      resolve(stderr.split('\n').filter((line) => line.startsWith(`${kind} `)).map((line) => line.slice(kind.length + 1)));
    });
  });
}

const packageOf = (url: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
const HEAVY = ['yaml', 'ajv', 'listr2', 'diff'];

describe('start-up', () => {
  it('--version loads commander and belay\'s own small modules only', async () => {
    const modules = await loaded(['--version']);
    const packages = new Set(modules.map(packageOf).filter(Boolean));
    expect([...packages]).toEqual(['commander']);
    expect(modules.some((url) => url.includes('/config/') || url.includes('/sync/') || url.includes('/emulator/'))).toBe(false);
    expect(modules.filter((url) => url.includes('/cli/commands/'))).toEqual([]);
  });

  it('exec on the emulated board loads no YAML, schema, planner, view or serialport code', async () => {
    const modules = await loaded(['--port', 'emulator', 'exec', 'pass']);
    const packages = new Set(modules.map(packageOf).filter(Boolean));
    for (const heavy of [...HEAVY, 'serialport', '@serialport/bindings-cpp']) expect(packages.has(heavy)).toBe(false);
    expect(modules.some((url) => /\/(sync|cli\/views)\//.test(url) || /\/config\/(load|schema|document)\.js$/.test(url))).toBe(false);
    // and it did run on the board
    expect(packages.has('@micropython/micropython-webassembly-pyscript')).toBe(true);
    // only the module of its own command
    expect(modules.filter((url) => url.includes('/cli/commands/')).map((url) => url.slice(url.lastIndexOf('/') + 1))).toEqual(['device-commands.js']);
    // without the capability probe, so without the filesystem engine
    expect(modules.filter((url) => /\/device\/fs\//.test(url))).toEqual([]);
  });

  it('ls loads the filesystem engine', async () => {
    const modules = await loaded(['--port', 'emulator', 'ls', '/']);
    expect(modules.some((url) => url.endsWith('/device/fs/device-fs.js'))).toBe(true);
  });
});

describeWithSocat('start-up on a serial port', () => {
  it('exec drives the native addon directly: none of serialport\'s streams, parsers, listing or logging', async () => {
    const board = await cliBoard('pty', tempProject('belay-startup-'));
    try {
      const required = await loaded(['--port', board.port, 'exec', 'pass'], 'REQUIRED');
      const packages = new Set(required.map((path) => packageOf(path)).filter(Boolean));
      expect(required.some((path) => path.endsWith('.node'))).toBe(true);
      expect([...packages].sort()).toEqual(['@serialport/bindings-cpp', 'commander', 'node-gyp-build']);
      expect(required.filter((path) => /bindings-cpp\/dist\//.test(path)).map((path) => path.slice(path.lastIndexOf('/') + 1))).toEqual(['serialport-bindings.js']);
    } finally {
      await board.close();
    }
  });
});
