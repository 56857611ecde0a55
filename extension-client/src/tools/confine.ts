// Where agent tools may look: inside the workspace folders only. Free of `vscode` (unit-tested).
// A path from the model is untrusted text: `..` segments are refused outright, absolute paths must
// lie in a workspace folder, and the real path (symlinks resolved, for a new file its parent's) must
// still lie in the real path of that folder. Files that .gitignore or files.exclude hide are refused
// too: they are where secrets (.env, keys) and build output live.
import { realpathSync } from 'node:fs';
import path from 'node:path';

export class ToolError extends Error {}

export interface Confined {
  /** The workspace folder it lies in. */
  root: string;
  absolute: string;
  /** Relative to `root`, with forward slashes. */
  relative: string;
}

export interface ConfineOptions {
  /** Hidden paths (relative, forward slashes): .gitignore and files.exclude. */
  isIgnored?: (relative: string, root: string) => boolean;
  /** For tests: the real-path function (defaults to fs.realpathSync.native). */
  realpath?: (p: string) => string;
}

const inside = (parent: string, child: string) => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** Resolves `requested` (relative to the first folder, or absolute) inside the workspace, or throws ToolError. */
export function confine(roots: readonly string[], requested: unknown, options: ConfineOptions = {}): Confined {
  if (roots.length === 0) throw new ToolError('No workspace folder is open.');
  if (typeof requested !== 'string' || requested.trim() === '' || requested.includes('\0')) throw new ToolError('path must be a non-empty string.');
  const segments = requested.split(/[\\/]+/);
  if (segments.includes('..')) throw new ToolError(`'${requested}' is refused: '..' may not appear in a path.`);
  const real = options.realpath ?? ((p: string) => realpathSync.native(p));

  let root: string | undefined;
  let absolute: string;
  if (path.isAbsolute(requested)) {
    absolute = path.normalize(requested);
    root = roots.find((r) => inside(r, absolute));
    if (!root) throw new ToolError(`'${requested}' is outside the workspace.`);
  } else {
    // Multi-root workspaces: "<folder name>/…" picks that folder.
    root = roots.find((r) => roots.length > 1 && path.basename(r) === segments[0]) ?? roots[0];
    const rest = root !== roots[0] || (roots.length > 1 && path.basename(roots[0]) === segments[0]) ? segments.slice(1) : segments;
    absolute = path.join(root, ...rest.filter((s) => s !== '' && s !== '.'));
  }
  const relative = path.relative(root, absolute).split(path.sep).join('/');

  // Symlinks: the nearest existing ancestor's real path must stay inside the folder's real path.
  const realRoot = real(root);
  let probe = absolute;
  for (;;) {
    try {
      const resolved = real(probe);
      if (!inside(realRoot, resolved)) throw new ToolError(`'${requested}' is refused: it leads outside the workspace (symbolic link).`);
      break;
    } catch (e) {
      if (e instanceof ToolError) throw e;
      const parent = path.dirname(probe);
      if (parent === probe) throw new ToolError(`'${requested}' could not be resolved.`);
      probe = parent;
    }
  }
  if (relative.split('/').includes('.git')) throw new ToolError(`'${requested}' is refused: the .git folder is not for tools.`);
  if (relative && options.isIgnored?.(relative, root)) throw new ToolError(`'${requested}' is refused: .gitignore or files.exclude hides it.`);
  return { root, absolute, relative };
}

/** A glob (files.exclude / .gitignore style: `*`, `**`, `?`, `{a,b}`) as a regular expression over a relative path. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // "**/" matches any number of folders, "**" at the end anything.
        if (glob[i + 2] === '/') { re += '(?:.*/)?'; i += 2; } else { re += '.*'; i += 1; }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) { re += '\\{'; continue; }
      re += `(?:${glob.slice(i + 1, end).split(',').map((p) => p.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('|')})`;
      i = end;
    } else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * A .gitignore as a predicate over relative paths (the root file's rules: comments, negation, anchored
 * patterns with a slash, directory-only patterns with a trailing slash, and any ancestor folder that is
 * ignored hides what is under it).
 */
export function gitignoreMatcher(text: string): (relative: string) => boolean {
  const rules = text.split(/\r?\n/)
    .map((l) => l.replace(/(?<!\\)\s+$/, ''))
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      let p = negate ? line.slice(1) : line;
      const dirOnly = p.endsWith('/');
      if (dirOnly) p = p.slice(0, -1);
      const anchored = p.includes('/');
      if (p.startsWith('/')) p = p.slice(1);
      return { negate, dirOnly, re: globToRegExp(anchored ? p : `**/${p}`) };
    });
  return (relative) => {
    const parts = relative.split('/');
    // Every prefix is a folder except the whole path (which may be a file or a folder).
    for (let n = 1; n <= parts.length; n++) {
      const prefix = parts.slice(0, n).join('/');
      const isDir = n < parts.length;
      let ignored = false;
      for (const r of rules) {
        if (r.dirOnly && !isDir) continue;
        if (r.re.test(prefix)) ignored = !r.negate;
      }
      if (ignored) return true;
    }
    return false;
  };
}
