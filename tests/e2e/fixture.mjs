// The end-to-end fixture: the VSIX built and installed into a throw-away profile, code-server
// started on a workspace folder, and one Chromium page on the workbench. Shared by the e2e test
// (run.mjs) and the extension benchmark (bench/extension.mjs).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { log, serverDll } from '../tools/common.mjs';
import { packageTarget } from '../../extension-client/scripts/package.mjs';
import { prepareProfile, startCodeServer } from './codeServer.mjs';
import { setup, toolEnv } from './setup.mjs';
import { openWorkbench } from './workbench.mjs';

export class E2eFixture {
  /** Figures of the start (ms), into `timings`: setup, package, install, code-server, workbench. */
  constructor(timings = {}) {
    this.timings = timings;
  }

  /**
   * `artifacts`: where code-server's log goes; `settings`: VS Code user settings on top of the
   * quiet defaults; `prepare(scratch)`: starts helpers the profile needs (e.g. a loopback
   * Hugging Face) and returns `{ machineSettings?, close?() }`. Expects the solution to be
   * built. On failure what did start stays on the fixture (for a screenshot) until `stop()`.
   */
  async start({ artifacts, settings = {}, prepare }) {
    const timings = this.timings;
    let t = Date.now();
    setup();
    timings.setupMs = Date.now() - t;

    if (!existsSync(serverDll)) throw new Error(`the sidecar is not built (${serverDll}); run \`npm run build\` first`);
    t = Date.now();
    // The linux-x64 VSIX exactly as users get it (self-contained sidecar, llama.cpp inside),
    // reused from .cache/vsix/ while its inputs are unchanged.
    this.vsixDir = mkdtempSync(path.join(os.tmpdir(), 'editorassist-e2e-vsix-'));
    this.vsix = await packageTarget('linux-x64', { cache: true, outDir: this.vsixDir });
    timings.packageMs = Date.now() - t;

    t = Date.now();
    this.scratch = mkdtempSync(path.join(os.tmpdir(), 'editorassist-e2e-'));
    this.prepared = prepare ? await prepare(this.scratch) : {};
    // `extraVsix`: test-only extensions installed beside EditorAssist (the fake language model vendor).
    this.profile = prepareProfile({ vsix: this.vsix, root: this.scratch, settings, machineSettings: this.prepared.machineSettings, extraVsix: this.prepared.extraVsix });
    timings.installMs = Date.now() - t;
    const folder = path.join(this.scratch, 'workspace');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'hello.py'), 'def hello():\n    return "world"\n');

    // EDITORASSIST_SIDECAR is cleared so the extension runs the sidecar bundled in the VSIX, and
    // no .NET is reachable from code-server, its extension host or the sidecar: PATH holds no
    // `dotnet` and DOTNET_ROOT points nowhere. Every case below thus proves the VSIX works on a
    // machine without .NET (cases/10-sidecar checks which runtime the sidecar really loaded).
    mkdirSync(artifacts, { recursive: true });
    this.server = await startCodeServer({
      profile: this.profile, folder, logFile: path.join(artifacts, 'code-server.log'),
      env: {
        EDITORASSIST_SIDECAR: '', PATH: pathWithoutDotnet(path.join(this.scratch, 'bin'), toolEnv().PATH), DOTNET_ROOT: path.join(this.scratch, 'no-dotnet'),
        // VS Code's server otherwise replaces the extension host's environment with a login
        // shell's (resolveShellEnv), whose PATH has /usr/bin, where this machine's dotnet is.
        VSCODE_CLI: '1',
      },
    });
    timings.codeServerStartMs = this.server.startMs;
    log(`code-server ${this.server.url} ready in ${this.server.startMs} ms`);

    this.workbench = await openWorkbench(this.server.url);
    timings.workbenchMs = this.workbench.workbenchMs;
    log(`workbench rendered in ${this.workbench.workbenchMs} ms`);
    return this;
  }

  get page() {
    return this.workbench?.page;
  }

  /**
   * The EditorAssist log channel's file, once it exists. VS Code writes one per window (a reload
   * or a second window starts another): the most recently written is the live window's.
   */
  extensionLog() {
    return this.profile && findFile(path.join(this.profile.userDataDir, 'logs'), 'EditorAssist.log', { newest: true });
  }

  /** Closes the browser and code-server; copies VS Code's logs into `keepLogsIn`, if given; cleans up. */
  async stop({ keepLogsIn } = {}) {
    await this.workbench?.close().catch(() => undefined);
    await this.server?.stop().catch(() => undefined);
    await this.prepared?.close?.()?.catch?.(() => undefined);
    if (this.profile && keepLogsIn) {
      cpSync(path.join(this.profile.userDataDir, 'logs'), keepLogsIn, { recursive: true, force: true, errorOnExist: false });
    }
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
    if (this.vsixDir) rmSync(this.vsixDir, { recursive: true, force: true });
  }
}

/**
 * A PATH with every program of the current PATH except `dotnet`: `shim` gets a link to each
 * (first one wins, as on PATH), so the tools VS Code uses stay reachable and .NET does not.
 */
export function pathWithoutDotnet(shim, searchPath = process.env.PATH ?? '') {
  mkdirSync(shim, { recursive: true });
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (/^dotnet(\.exe)?$/i.test(name) || existsSync(path.join(shim, name))) continue;
      try { symlinkSync(path.join(dir, name), path.join(shim, name)); } catch { /* a name twice on PATH: the first stays */ }
    }
  }
  return shim;
}

/** The first file named `name` under `dir` (recursively; with `newest`, the last modified one), or undefined. */
export function findFile(dir, name, { newest = false } = {}) {
  if (!existsSync(dir)) return undefined;
  const found = readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name === name).map((e) => path.join(e.parentPath ?? e.path, e.name));
  if (!newest) return found[0];
  return found.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}
