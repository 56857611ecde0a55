#!/usr/bin/env bash
# Packs what bench/llama/cpu.sh needs on a bare machine into .cpukit/kit.tar.xz (git-ignored; the
# device tool carries it): this machine's .NET runtime (framework-dependent builds stay small),
# our bench built from this tree (ea/), a build from before the persistent CPU thread pool
# (ea-old/, from BASELINE_DIR: the output folder of `bench/llama/run.mjs --baseline`'s build, or
# any earlier build of bench/llama/Bench), the LLamaSharp runner with only its avx2/avx512 Linux
# builds, and our llama.cpp CPU build. Usage: BASELINE_DIR=... bash bench/llama/make-cpu-kit.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
: "${BASELINE_DIR:?set BASELINE_DIR to an earlier build of bench/llama/Bench}"
k=$(mktemp -d); mkdir -p $k/ea $k/ea-old $k/sharp $k/dotnet/shared $k/llama
dotnet build "$root/bench/llama/Bench/EditorAssist.Llama.Bench.csproj" -c Release -o $k/ea --nologo -v q
dotnet build "$root/bench/llama/LlamaSharp/EditorAssist.Llama.LlamaSharpBench.csproj" -c Release -o $k/sharp --nologo -v q
cp -a "$BASELINE_DIR/." $k/ea-old/
for d in ea ea-old sharp; do find $k/$d/runtimes -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +; done
rm -rf $k/sharp/runtimes/linux-x64/native/avx $k/sharp/runtimes/linux-x64/native/noavx
D=$(dirname "$(readlink -f "$(command -v dotnet)")")
cp -a $D/dotnet $D/host $k/dotnet/
cp -a $D/shared/Microsoft.NETCore.App $D/shared/Microsoft.AspNetCore.App $k/dotnet/shared/
cp -a "$root/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/." $k/llama/
mkdir -p "$root/.cpukit"
tar cf - -C $k . | xz -T2 -3 > "$root/.cpukit/kit.tar.xz"
rm -rf $k
ls -la "$root/.cpukit/kit.tar.xz"
