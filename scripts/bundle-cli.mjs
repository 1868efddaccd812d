// Builds the `belay` executable as two files in dist/cli/ (after tsc has
// built the library into dist/):
//
//   cli.js   the whole CLI (src/cli/entry.ts and every module of src/ it
//            reaches, with commander) in one script: a CommonJS module body
//            wrapped in `(function (exports, require, module, __filename,
//            __dirname) {...})`, so main.js can compile it with V8's code
//            cache (src/cli/compile-cache.ts). Node loads one file instead
//            of ~40 ES modules, each resolved, read and linked on its own.
//   main.js  the launcher (src/cli/main.ts and compile-cache.ts), CommonJS
//            like cli.js (dist/cli/package.json says so): no ES module
//            loader is started for a command at all.
//
// The package's other dependencies stay outside the bundle and are required
// from node_modules when a command first uses them: the native serial
// addon and the emulated board's WebAssembly must be loaded from their own
// packages, and the large ones (yaml, ajv, listr2...) are used by few
// commands and would only add to what every command reads and hashes.
//
// Modules that find files beside themselves with import.meta.url (the
// board's .py snippets, the schemas, package.json, the emulator's worker)
// are given the URL of their own compiled file in dist/, so they find what
// they always found. The emulator's worker thread runs dist/emulator/ as
// tsc built it.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const outDir = join(root, 'dist', 'cli');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Bundled: on the path of every command. Everything else in dependencies is required at run time. */
const BUNDLED = new Set(['commander']);
const external = [...Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)), 'typescript'].flatMap((name) => [name, `${name}/*`]);

/** @type {import('esbuild').Plugin} */
const moduleUrls = {
  name: 'module-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      if (text.includes('import.meta')) {
        const compiled = join(root, 'dist', relative(src, args.path)).replace(/\.ts$/, '.js');
        text = text.replaceAll('import.meta.url', `__belayModuleUrl(${JSON.stringify(relative(outDir, compiled))})`);
        if (text.includes('import.meta')) return { errors: [{ text: `${relative(root, args.path)} uses import.meta beyond import.meta.url: teach scripts/bundle-cli.mjs what it means in the bundle` }] };
      }
      return { contents: text, loader: 'ts' };
    });
  },
};

/**
 * commander requires child_process at load time, for subcommands that are
 * separate executables (belay has none): Node's child_process pulls in
 * net, dgram and streams, about 2 MB and 10 ms for every command. It gets a
 * stand-in that requires the real module on first use.
 * @type {import('esbuild').Plugin}
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (/[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
      loader: 'js',
    }));
  },
};

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const common = /** @type {const} */ ({
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Names stay (stack traces under --debug); whitespace and comments go.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  charset: 'ascii',
  logLevel: 'warning',
  absWorkingDir: root,
});

await build({
  ...common,
  entryPoints: [join(src, 'cli', 'entry.ts')],
  outfile: join(outDir, 'cli.js'),
  external,
  // Every import() becomes a require(): a script compiled by vm.Script has no
  // module loader for import() (and nothing here needs one: the external
  // packages all have CommonJS entry points).
  supported: { 'dynamic-import': false },
  plugins: [moduleUrls, lazyChildProcess],
  banner: {
    js: '(function (exports, require, module, __filename, __dirname) {"use strict";\nconst __belayModuleUrl = (path) => require("node:url").pathToFileURL(require("node:path").join(__dirname, path)).href;',
  },
  footer: { js: '})' },
});

await build({
  ...common,
  entryPoints: [join(src, 'cli', 'main.ts')],
  outfile: join(outDir, 'main.js'),
  plugins: [moduleUrls],
});

writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

// cli.js is read as latin1 (one byte a character, no UTF-8 decoding): it must be ASCII.
const bundle = readFileSync(join(outDir, 'cli.js'));
const nonAscii = bundle.findIndex((byte) => byte > 0x7f);
if (nonAscii >= 0) throw new Error(`dist/cli/cli.js has a non-ASCII byte at ${nonAscii}`);
if (readdirSync(outDir).sort().join(' ') !== 'cli.js main.js package.json') throw new Error(`dist/cli/ holds ${readdirSync(outDir).join(', ')}`);
