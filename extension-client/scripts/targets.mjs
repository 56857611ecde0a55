// The platforms EditorAssist ships a VSIX for, and what goes into each. Shared by the packaging
// script (scripts/package.mjs), its test (tests/packaging/) and the docs' tables.
//
// llama.cpp comes from node-llama-cpp's prebuilt platform packages. Linux is on 3.22.1 (the build
// the binding's ABI tests pin, llama.cpp de3ff815ea7d); Windows and macOS packages are served only
// up to 3.21.1 (llama.cpp 80fb11a). Their llama.h/ggml headers give identical struct layouts
// (tests/EditorAssist.Llama.Tests/abi/versions.md) and export every function the binding calls,
// so one binding serves both. `integrity` pins the exact tarball npm serves (dist.integrity).

/** VS Code target → .NET RID, the llama.cpp package, the binary format of its natives. */
export const TARGETS = {
  'linux-x64': {
    rid: 'linux-x64', os: 'linux', arch: 'x64', binary: { format: 'elf', machine: 'x86-64' },
    llama: { pkg: 'linux-x64-vulkan', version: '3.22.1', integrity: 'sha512-bBxqU+JOcBu1nb5Qj2zcMci+JByT1E8EajHvYodyNfVIPkEhXh+/HMwR1/BT7xP08YK0hks+kM8fglER0P8JEg==' },
    backends: ['Vulkan', 'CPU'],
  },
  'linux-arm64': {
    rid: 'linux-arm64', os: 'linux', arch: 'arm64', binary: { format: 'elf', machine: 'aarch64' },
    // No linux-arm64-vulkan package is published: CPU only (NEON variants per ARMv8/v9 level).
    llama: { pkg: 'linux-arm64', version: '3.22.1', integrity: 'sha512-W+7naKCXX9/eEjjFmRS8vvx91QyLXDbeFxexZc3bh/PtQABZgmRL3C0AtYYXn4YGTj/3Qor4lWZn2tpjZFPLdQ==' },
    backends: ['CPU'],
  },
  'win32-x64': {
    rid: 'win-x64', os: 'win32', arch: 'x64', binary: { format: 'pe', machine: 'x64' },
    llama: { pkg: 'win-x64-vulkan', version: '3.21.1', integrity: 'sha512-HJ237Azh5m4Sz+w3A1IU/fYLaSDOocskcfn2ILTgqTuuORCB86EMnu3Yt/XsNhRHTtEiwz1Q/E0mO4PLIbZLAA==' },
    backends: ['Vulkan', 'CPU'],
  },
  'win32-arm64': {
    rid: 'win-arm64', os: 'win32', arch: 'arm64', binary: { format: 'pe', machine: 'arm64' },
    llama: { pkg: 'win-arm64', version: '3.21.1', integrity: 'sha512-/UDR7Y0B8iKfc/tqxBmWkcgRdZQ9Wrkwod7fYl4J6iZXcTIj286RkHvZSED7VMY67TrcUXVvxJVMNFtmjeYnDg==' },
    backends: ['CPU'],
    // The llama.cpp build exists, but the NuGet feed these machines reach serves no
    // Microsoft.NETCore.App.Runtime/Host.win-arm64 (restore fails with NU1101), so the
    // self-contained publish cannot be made here. `--target win32-arm64` builds it where NuGet does.
    unavailable: 'the .NET runtime pack for win-arm64 (Microsoft.NETCore.App.Runtime.win-arm64) is not served by the NuGet feed here',
  },
  'darwin-arm64': {
    rid: 'osx-arm64', os: 'darwin', arch: 'arm64', binary: { format: 'macho', machine: 'arm64' },
    llama: { pkg: 'mac-arm64-metal', version: '3.21.1', integrity: 'sha512-6MIDAZV7DXD9R1+jEXWJkFuolni3GATGE6mmuyFYc6ZmtOh9djAy15df0T0AXK3sCmVKL+fQcOAWZezxx4MvQQ==' },
    backends: ['Metal', 'CPU'],
  },
  'darwin-x64': {
    rid: 'osx-x64', os: 'darwin', arch: 'x64', binary: { format: 'macho', machine: 'x86_64' },
    llama: { pkg: 'mac-x64', version: '3.21.1', integrity: 'sha512-Q4nyNmbcNiKygBZQZjX+qLk2w3YzoiFpLWsxNURQN7xjyUi2p2rWxjRa7Otg0FrjGf/ri4aQ+X3Uj5Y0zD06eg==' },
    backends: ['CPU'],
  },
};

/** The targets `npm run package` builds and the packaging test checks (all but the unavailable ones). */
export const TARGET_NAMES = Object.keys(TARGETS).filter((t) => !TARGETS[t].unavailable);

/** The sidecar's executable inside extension/sidecar/ for a target. */
export function sidecarExecutable(target) {
  return TARGETS[target].os === 'win32' ? 'EditorAssist.Server.exe' : 'EditorAssist.Server';
}

/** The VS Code target of the machine this runs on (undefined where none is shipped). */
export function hostTarget() {
  const t = `${process.platform}-${process.arch}`;
  return TARGETS[t] ? t : undefined;
}

/** Where a target's VSIX goes: artifacts/vsix/editorassist-<target>-<version>.vsix. */
export function vsixFileName(target, version) {
  return `editorassist-${target}-${version}.vsix`;
}
