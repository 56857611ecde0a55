// The end-to-end fixture: the VSIX built and installed into a throw-away profile, code-server
// started on a workspace folder, and one Chromium page on the workbench. Shared by the e2e test
// (run.mjs) and the extension benchmark (bench/extension.mjs).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { log, serverDll } from '../tools/common.mjs';
import { packageVsix } from '../../extension-client/scripts/package.mjs';
import { prepareProfile, startCodeServer } from './codeServer.mjs';
import { setup } from './setup.mjs';
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
    // The sidecar from the fresh solution build, with the CPU build of llama.cpp inside the VSIX
    // (as users get it; the Vulkan build and compression are left out here only for speed).
    this.vsix = await packageVsix({ sidecarFromBuild: true, nativeLibs: 'cpu', compress: false, out: path.join(os.tmpdir(), `editorassist-e2e-${process.pid}.vsix`) });
    timings.packageMs = Date.now() - t;

    t = Date.now();
    this.scratch = mkdtempSync(path.join(os.tmpdir(), 'editorassist-e2e-'));
    this.prepared = prepare ? await prepare(this.scratch) : {};
    this.profile = prepareProfile({ vsix: this.vsix, root: this.scratch, settings, machineSettings: this.prepared.machineSettings });
    timings.installMs = Date.now() - t;
    const folder = path.join(this.scratch, 'workspace');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'hello.py'), 'def hello():\n    return "world"\n');

    // EDITORASSIST_SIDECAR is cleared so the extension runs the sidecar bundled in the VSIX.
    mkdirSync(artifacts, { recursive: true });
    this.server = await startCodeServer({ profile: this.profile, folder, logFile: path.join(artifacts, 'code-server.log'), env: { EDITORASSIST_SIDECAR: '' } });
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
    if (this.vsix) rmSync(this.vsix, { force: true });
  }
}

/** The first file named `name` under `dir` (recursively; with `newest`, the last modified one), or undefined. */
export function findFile(dir, name, { newest = false } = {}) {
  if (!existsSync(dir)) return undefined;
  const found = readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name === name).map((e) => path.join(e.parentPath ?? e.path, e.name));
  if (!newest) return found[0];
  return found.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}
