// Import rules for the extension's sources, checked on the TypeScript files themselves (type-only
// imports count: a circle of types is still a circle in the design):
// - no import circles;
// - the unit tests' barrel (test/lib.ts) stays out of the product sources: no index.ts re-exporting
//   other feature folders in src/;
// - extension.ts is a composition root (at most 80 lines); features get the sidecar as
//   SidecarConnection (sidecar/connection.ts): only the sidecar layer and the root name the
//   supervisor class;
// - a module that says it is vscode-free in its opening comment imports `vscode` neither itself
//   nor through anything it imports (the unit tests load such modules without VS Code).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Every module under src/ (relative path) → the src/ modules and packages it imports. */
export function importGraph(root) {
  const files = readdirSync(root, { recursive: true }).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.split(path.sep).join('/'));
  const known = new Set(files);
  const graph = new Map();
  for (const f of files) {
    const text = readFileSync(path.join(root, f), 'utf8');
    const local = new Set();
    const packages = new Set();
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+'([^']+)'|^\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec.startsWith('.')) { packages.add(spec); continue; }
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(f), spec));
      const target = [`${base}.ts`, `${base}/index.ts`].find((c) => known.has(c));
      if (!target) throw new Error(`${f}: cannot resolve '${spec}'`);
      local.add(target);
    }
    graph.set(f, { local, packages, text });
  }
  return graph;
}

/** The import circles (strongly connected components of more than one module, or a self-import). */
export function circles(graph) {
  let index = 0;
  const stack = [], on = new Set(), idx = new Map(), low = new Map(), found = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of graph.get(v).local) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do { w = stack.pop(); on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || graph.get(v).local.has(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

describe('extension import rules', () => {
  const graph = importGraph(src);

  it('reads the sources (a broken reader must not pass by finding nothing)', () => {
    assert.ok(graph.size >= 50, `${graph.size} modules`);
    assert.ok(graph.get('extension.ts').packages.has('vscode'));
    assert.ok([...graph.get('extension.ts').local].length >= 5);
  });

  it('finds a circle when there is one', () => {
    const fake = new Map([
      ['a.ts', { local: new Set(['b.ts']), packages: new Set() }],
      ['b.ts', { local: new Set(['c.ts']), packages: new Set() }],
      ['c.ts', { local: new Set(['a.ts']), packages: new Set() }],
      ['d.ts', { local: new Set(['a.ts']), packages: new Set() }],
    ]);
    assert.deepEqual(circles(fake), [['a.ts', 'b.ts', 'c.ts']]);
  });

  it('has no import circles', () => {
    assert.deepEqual(circles(graph), []);
  });

  it('keeps the unit tests\' barrel out of the product', () => {
    // A barrel in src/ re-exporting several feature folders would be built and shipped with the
    // extension; the tests' one is test/lib.ts.
    const barrels = [...graph].filter(([f, m]) => f.endsWith('index.ts') && new Set([...m.local].map((d) => d.split('/')[0])).size > 2).map(([f]) => f);
    assert.deepEqual(barrels, []);
  });

  it('keeps modules that say they are vscode-free free of vscode, through their imports too', () => {
    const reaches = new Map();
    const usesVscode = (f, seen = new Set()) => {
      if (reaches.has(f)) return reaches.get(f);
      if (seen.has(f)) return false;
      seen.add(f);
      const m = graph.get(f);
      const hit = m.packages.has('vscode') ? [f] : [...m.local].map((d) => usesVscode(d, seen)).find(Boolean);
      const chain = hit ? (hit[0] === f ? hit : [f, ...hit]) : false;
      reaches.set(f, chain);
      return chain;
    };
    // The claim is about the module itself: a line of its opening comment that says so without
    // naming another file ("the lists live in x.ts (vscode-free)" is about x.ts).
    const opening = (text) => text.split('\n').filter((_, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('//')));
    const claims = (text) => opening(text).some((l) => /vscode-free|no vscode/i.test(l) && !/\w\.ts\b/.test(l));
    const claimed = [...graph].filter(([, m]) => claims(m.text)).map(([f]) => f);
    assert.ok(claimed.length >= 10, `only ${claimed.length} modules say they are vscode-free`);
    const broken = claimed.map((f) => usesVscode(f)).filter(Boolean).map((chain) => chain.join(' → '));
    assert.deepEqual(broken, []);
  });

  it('keeps extension.ts a short composition root', () => {
    const lines = graph.get('extension.ts').text.trimEnd().split('\n').length;
    assert.ok(lines <= 80, `extension.ts has ${lines} lines; move wiring into the feature that owns it`);
  });

  it('hands features the SidecarConnection interface, not the supervisor class', () => {
    const named = [...graph].filter(([f, m]) => !f.startsWith('sidecar/') && f !== 'extension.ts' && /\bSidecarSupervisor\b/.test(m.text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''))).map(([f]) => f);
    assert.deepEqual(named, []);
    assert.ok(graph.get('sidecar/connection.ts').text.includes('export interface SidecarConnection'));
  });
});
