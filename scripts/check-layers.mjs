// The dependency rules of src/, checked on every `npm test` (and by
// `npm run check:layers`). docs/architecture.md explains the layers; this
// file is their executable form. It fails on:
//
// - an upward import: each folder of src/ has a rank, and a module may
//   import only modules of a lower rank (or its own folder);
// - an import of a module that only some folders may use (the emulated
//   board, the engine's way into /.belay);
// - an import cycle between modules (type-only imports count: a cycle of
//   types still ties two modules into one);
// - console, process.stdout, process.stderr or process.env outside src/cli/:
//   the library never prints and reads no environment.
//
// It reads the sources with the TypeScript parser (static imports, exports
// from, dynamic import() with a literal), so it needs no build.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Ranks: a module may import from a lower rank only. Equal ranks are
 * separate layers that must not import each other (paths and hashing).
 * Folders not listed here are an error, so a new folder gets a place.
 * @type {Record<string, number>}
 */
export const RANKS = {
  'index.ts': 100, // the library's face: exports every layer
  cli: 90, // argv -> options, views; reads the environment
  sync: 80, // desired, actual, manifest, plan, apply, recovery
  config: 70, // belay.yaml -> Config
  device: 60, // Device, device.fs
  port: 50, // a --port spec -> an open board (serial or emulated)
  protocol: 40, // the raw REPL
  emulator: 30, // the emulated board (a board, not a transport)
  transport: 20, // bytes: serial links, discovery
  local: 12, // the local tree walker, safe local writes
  paths: 10, // the one board-path rule
  hashing: 10, // content hashes, host side
  'errors.ts': 0, // BelayError
  types: 0, // ambient declarations for untyped packages
};

/**
 * Modules only some folders may import, whatever their rank.
 * @type {Array<{ module: string, importers: string[], why: string }>}
 */
export const RESTRICTED = [
  { module: 'emulator', importers: ['port', 'cli', 'index.ts'], why: 'the emulated board is opened through port/ like any board; the layers above never know which board they talk to' },
  { module: 'paths/reserved.ts', importers: ['paths', 'device', 'sync'], why: "only the engine writes belay's own records in /.belay" },
];

/** Globals the library must not touch (only src/cli/ may). */
const CLI_ONLY_GLOBALS = ['console', 'process.stdout', 'process.stderr', 'process.env'];


/**
 * @typedef {{ rule: 'unknown-layer' | 'upward' | 'restricted' | 'cycle' | 'cli-only-global', file: string, line?: number, message: string }} Violation
 * @typedef {{ from: string, to: string, line: number }} Edge
 */

/** @param {string} dir @returns {string[]} */
function sourceFiles(dir) {
  /** @type {string[]} */
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|mts)$/.test(name)) out.push(full);
  }
  return out.sort();
}

/** The layer of a module ("device/fs/x.ts" -> "device", "errors.ts" -> "errors.ts"). @param {string} rel */
export function layerOf(rel) {
  const first = rel.split('/')[0];
  return first;
}

/**
 * Where a relative specifier points, as a path below src/ ("./x.js" -> "dir/x.ts").
 * @param {string} srcDir @param {string} fromRel @param {string} specifier
 */
function resolveSpecifier(srcDir, fromRel, specifier) {
  const target = resolve(srcDir, dirname(fromRel), specifier);
  const rel = relative(srcDir, target).split(sep).join('/');
  if (rel.startsWith('..')) return undefined; // outside src/ (package.json, schemas)
  return rel.replace(/\.js$/, '.ts');
}

/**
 * Imports and global uses of one file.
 * @param {string} text @param {string} fileName
 * @returns {{ imports: Array<{ specifier: string, line: number }>, globals: Array<{ name: string, line: number }> }}
 */
export function scan(text, fileName) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  /** @type {Array<{ specifier: string, line: number }>} */
  const imports = [];
  /** @type {Array<{ name: string, line: number }>} */
  const globals = [];
  const lineOf = (/** @type {ts.Node} */ node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  /** @param {ts.Node} node */
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      imports.push({ specifier: node.moduleSpecifier.text, line: lineOf(node) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      imports.push({ specifier: node.arguments[0].text, line: lineOf(node) });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      imports.push({ specifier: node.argument.literal.text, line: lineOf(node) });
    } else if (ts.isIdentifier(node) && node.text === 'console' && isReference(node)) {
      globals.push({ name: 'console', line: lineOf(node) });
    } else if (ts.isIdentifier(node) && node.text === 'process' && isReference(node)) {
      const parent = node.parent;
      /** @type {string | undefined} */
      let member;
      if (ts.isPropertyAccessExpression(parent) && parent.expression === node) member = parent.name.text;
      else if (ts.isElementAccessExpression(parent) && parent.expression === node && ts.isStringLiteralLike(parent.argumentExpression)) member = parent.argumentExpression.text;
      else if (ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isObjectBindingPattern(parent.name)) {
        for (const element of parent.name.elements) {
          const key = element.propertyName ?? element.name;
          if (ts.isIdentifier(key) && CLI_ONLY_GLOBALS.includes(`process.${key.text}`)) globals.push({ name: `process.${key.text}`, line: lineOf(node) });
        }
      } else if (!ts.isPropertyAccessExpression(parent)) {
        // process handed around whole (`const p = process`) could reach anything.
        globals.push({ name: 'process', line: lineOf(node) });
      }
      if (member && CLI_ONLY_GLOBALS.includes(`process.${member}`)) globals.push({ name: `process.${member}`, line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, globals };
}

/** True when an identifier is a use of a variable, not a property name or a declaration. @param {ts.Identifier} node */
function isReference(node) {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isPropertySignature(parent)) && parent.name === node) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isClassDeclaration(parent)) && parent.name === node) return false;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isTypeReferenceNode(parent) || ts.isQualifiedName(parent)) return false;
  return true;
}

/** @param {string} module @param {string} prefix */
const within = (module, prefix) => module === prefix || module.startsWith(`${prefix}/`);

/**
 * Checks every module below `srcDir`; returns the violations (none: the layers hold).
 * @param {string} srcDir
 * @returns {Violation[]}
 */
export function checkLayers(srcDir) {
  /** @type {Violation[]} */
  const violations = [];
  /** @type {Edge[]} */
  const edges = [];
  const files = sourceFiles(srcDir).map((full) => relative(srcDir, full).split(sep).join('/'));
  for (const rel of files) {
    const layer = layerOf(rel);
    if (!(layer in RANKS)) {
      violations.push({ rule: 'unknown-layer', file: rel, message: `${layer} has no place in the layers (scripts/check-layers.mjs RANKS, docs/architecture.md)` });
      continue;
    }
    const { imports, globals } = scan(readFileSync(join(srcDir, rel), 'utf8'), rel);
    if (layer !== 'cli') {
      for (const use of globals) {
        violations.push({ rule: 'cli-only-global', file: rel, line: use.line, message: `uses ${use.name}: only src/cli/ prints or reads the environment` });
      }
    }
    for (const { specifier, line } of imports) {
      if (!specifier.startsWith('.')) continue; // packages and node: builtins
      const target = resolveSpecifier(srcDir, rel, specifier);
      if (target === undefined) continue;
      edges.push({ from: rel, to: target, line });
      const targetLayer = layerOf(target);
      if (targetLayer === layer) continue;
      if (!(targetLayer in RANKS)) continue; // reported at the target itself
      if (RANKS[targetLayer] >= RANKS[layer]) {
        violations.push({ rule: 'upward', file: rel, line, message: `imports ${target}: ${layer} (rank ${RANKS[layer]}) may not depend on ${targetLayer} (rank ${RANKS[targetLayer]})` });
      }
    }
  }
  for (const edge of edges) {
    for (const rule of RESTRICTED) {
      if (!within(edge.to, rule.module)) continue;
      const importer = layerOf(edge.from);
      if (rule.importers.includes(importer) || within(edge.from, rule.module)) continue;
      violations.push({ rule: 'restricted', file: edge.from, line: edge.line, message: `imports ${edge.to}, which only ${rule.importers.join(', ')} may use: ${rule.why}` });
    }
  }
  for (const { members, path } of findCycles(files, edges)) {
    const more = members.length > path.length ? ` (${members.length} modules tied together in all)` : '';
    violations.push({ rule: 'cycle', file: path[0], message: `import cycle: ${[...path, path[0]].join(' -> ')}${more}` });
  }
  return violations;
}

/**
 * Strongly connected components with more than one module (or a module importing itself): their members, and one cycle through them.
 * @param {string[]} nodes @param {Edge[]} edges
 * @returns {Array<{ members: string[], path: string[] }>}
 */
function findCycles(nodes, edges) {
  /** @type {Map<string, string[]>} */
  const next = new Map(nodes.map((n) => [n, []]));
  for (const { from, to } of edges) if (next.has(to)) next.get(from)?.push(to);
  let index = 0;
  /** @type {Map<string, number>} */
  const order = new Map();
  /** @type {Map<string, number>} */
  const low = new Map();
  /** @type {string[]} */
  const stack = [];
  const onStack = new Set();
  /** @type {Array<{ members: string[], path: string[] }>} */
  const cycles = [];
  /** @param {string} node */
  const connect = (node) => {
    order.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!order.has(to)) {
        connect(to);
        low.set(node, Math.min(/** @type {number} */ (low.get(node)), /** @type {number} */ (low.get(to))));
      } else if (onStack.has(to)) low.set(node, Math.min(/** @type {number} */ (low.get(node)), /** @type {number} */ (order.get(to))));
    }
    if (low.get(node) === order.get(node)) {
      /** @type {string[]} */
      const component = [];
      let member;
      do {
        member = /** @type {string} */ (stack.pop());
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || next.get(node)?.includes(node)) cycles.push({ members: component.sort(), path: cyclePath(component, next) });
    }
  };
  for (const node of nodes) if (!order.has(node)) connect(node);
  return cycles;
}

/**
 * The shortest import path from the first module of a strongly connected component back to itself.
 * @param {string[]} component @param {Map<string, string[]>} next
 */
function cyclePath(component, next) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  /** @type {Map<string, string>} */
  const cameFrom = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = /** @type {string} */ (queue.shift());
    for (const to of next.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(/** @type {string} */ (cameFrom.get(path[0])));
        return path;
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return component;
}

// Run as a script: check src/ (or the folder given) and exit 1 on any violation.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const srcDir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'));
  const violations = checkLayers(srcDir);
  for (const v of violations) console.error(`${v.rule}: src/${v.file}${v.line ? `:${v.line}` : ''}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`\n${violations.length} dependency rule violation(s); the layers are in docs/architecture.md`);
    process.exit(1);
  }
  console.error(`layers ok: ${sourceFiles(srcDir).length} modules, no upward import, no cycle, no console/process.env outside src/cli/`);
}
