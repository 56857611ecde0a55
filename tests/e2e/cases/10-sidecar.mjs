// The foundation: the extension activates in a real VS Code, starts the real sidecar, and the
// two talk. Later capabilities add their own files next to this one (chat.mjs, models.mjs…).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFile } from '../fixture.mjs';
import { clearNotifications, plain, pollUntil, runCommand, waitForNotification } from '../workbench.mjs';

export default [
  {
    name: 'status bar shows the sidecar running, with its version in the tooltip',
    async run({ page, shot }) {
      const item = page.locator('.statusbar [aria-label="EditorAssist: running"]').first();
      await item.waitFor({ state: 'visible', timeout: 60_000 });
      assert.match(plain(await item.innerText()), /EditorAssist/);
      await item.hover();
      const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: 'sidecar: running' }).first();
      await hover.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(plain(await hover.innerText()), /EditorAssist \d+\.\d+\.\d+/);
      await shot('status-bar-running');
      await page.mouse.move(10, 10);
    },
  },
  {
    name: 'the sidecar is the VSIX\'s self-contained build and no .NET is reachable',
    async run({ profile }) {
      const [pid] = await pollUntil(() => sidecarPids(profile.extensionsDir), (p) => p.length === 1, { what: 'one sidecar process' });
      // The process image is the bundled executable, not `dotnet`.
      const exe = realpathSync(`/proc/${pid}/exe`);
      assert.ok(exe.startsWith(realpathSync(profile.extensionsDir)) && exe.endsWith(`${path.sep}sidecar${path.sep}EditorAssist.Server`), exe);
      // The .NET runtime it runs on came out of the VSIX.
      const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
      const coreclr = maps.split('\n').map((l) => l.split(/\s+/)[5]).find((f) => f?.endsWith('/libcoreclr.so'));
      assert.ok(coreclr?.startsWith(realpathSync(profile.extensionsDir)), `libcoreclr.so from ${coreclr}`);
      assert.ok(!/\/(usr\/share|usr\/lib|opt)\/dotnet\//.test(maps), 'no library of a machine-wide .NET is mapped');
      // …in an environment where none could be found: no dotnet on PATH, DOTNET_ROOT pointing nowhere.
      const env = Object.fromEntries(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      assert.ok(env.DOTNET_ROOT && !existsSync(env.DOTNET_ROOT), `DOTNET_ROOT=${env.DOTNET_ROOT}`);
      const onPath = (env.PATH ?? '').split(path.delimiter).filter((d) => existsSync(path.join(d, 'dotnet')));
      assert.deepEqual(onPath, [], 'dotnet is not on the sidecar\'s PATH');
    },
  },
  {
    name: '"EditorAssist: Show System Info" shows the real machine',
    async run({ page, shot }) {
      await clearNotifications(page);
      await runCommand(page, 'EditorAssist: Show System Info');
      const text = await waitForNotification(page, /EditorAssist: .* cores/);
      // The sidecar measured this machine; the test measures it independently.
      const cores = os.availableParallelism();
      assert.match(text, new RegExp(`\\b${cores} cores\\b`), text);
      const totalGiB = (os.totalmem() / 2 ** 30).toFixed(1);
      assert.ok(text.includes(`RAM ${totalGiB} GiB`), `expected RAM ${totalGiB} GiB in: ${text}`);
      await shot('system-info');
      await page.locator('.notifications-toasts .notification-toast', { hasText: 'cores' })
        .getByRole('button', { name: 'Show Details' }).click();
      const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
      const details = await pollUntil(async () => plain(await editor.innerText().catch(() => '')),
        (t) => t.includes('CPU cores:'), { what: 'system info document' });
      assert.match(details, new RegExp(`CPU cores:\\s+${cores}\\b`));
      await shot('system-info-details');
    },
  },
  {
    name: 'the EditorAssist output channel carries the sidecar stderr log',
    async run({ page, shot, metrics, profile }) {
      await runCommand(page, 'EditorAssist: Show Logs');
      // The panel shows the channel (it scrolls, so only the latest lines are in view)…
      const output = page.locator('.part.panel .monaco-editor .view-lines').first();
      await pollUntil(async () => plain(await output.innerText().catch(() => '')), (t) => t.includes('[sidecar]'),
        { what: 'sidecar log lines in the output channel' });
      // …and the channel's log file holds them all, the start-up lines included.
      const file = findFile(path.join(profile.userDataDir, 'logs'), 'EditorAssist.log');
      assert.ok(file, 'the EditorAssist log channel writes its file');
      const log = readFileSync(file, 'utf8');
      assert.match(log, /\[info\] \[sidecar\] .*EditorAssist sidecar .* listening on stdio/);
      assert.match(log, /Sidecar EditorAssist \S+ is running \(pid \d+/);
      // Figures for the report (e2e.json → timings), from the extension's own log lines.
      const num = (re) => Number((re.exec(log) ?? [])[1]);
      metrics.extensionActivationMs = num(/Activated in (\d+) ms/);
      metrics.sidecarReadyAfterActivationMs = num(/Sidecar ready (\d+) ms after activation began/);
      metrics.sidecarSpawnToInitializedMs = num(/ready (\d+) ms after spawn/);
      await shot('output-channel');
    },
  },
  {
    name: 'a killed sidecar comes back by itself and answers again',
    async run({ page, profile, shot }) {
      const [pid] = await pollUntil(() => sidecarPids(profile.extensionsDir), (p) => p.length === 1, { what: 'one sidecar process' });
      process.kill(pid, 'SIGKILL'); // the test started code-server: this is its own descendant
      const [newPid] = await pollUntil(() => sidecarPids(profile.extensionsDir), (p) => p.length === 1 && p[0] !== pid,
        { what: 'a new sidecar process' });
      await page.locator('.statusbar [aria-label="EditorAssist: running"]').first().waitFor({ state: 'visible', timeout: 30_000 });
      const file = findFile(path.join(profile.userDataDir, 'logs'), 'EditorAssist.log');
      await pollUntil(() => readFileSync(file, 'utf8'),
        (t) => t.includes('Sidecar exited unexpectedly (killed by SIGKILL)') && t.includes(`(pid ${newPid},`),
        { what: 'crash and restart in the log' });
      await clearNotifications(page);
      await runCommand(page, 'EditorAssist: Show System Info');
      await waitForNotification(page, new RegExp(`\\b${os.availableParallelism()} cores\\b`));
      await shot('restarted');
    },
  },
];

/** Pids of sidecar processes run from this profile's extensions folder (Linux /proc). */
export function sidecarPids(extensionsDir) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd;
    try { cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8'); } catch { continue; }
    // The VSIX's self-contained executable (…/sidecar/EditorAssist.Server), or a dll under dotnet.
    if (cmd.includes(extensionsDir) && /[\\/]sidecar[\\/]EditorAssist\.Server(\.dll|\.exe)?\0/.test(cmd)) pids.push(Number(entry));
  }
  return pids;
}
