#!/usr/bin/env bash
# Packs what bench/llama/gpu.sh needs on a bare GPU machine into .gpu/ (git-ignored; carried by
# the device tool): bench.tar.xz, the bench published self-contained (trimmed, so the kit stays
# under the device tool's 64 MiB), and runtime.tar.xz, this machine's node, node-llama-cpp
# without its source bundle, and only the Vulkan build of @node-llama-cpp. `--bench-only`
# repacks the bench alone (after a change to the binding).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
stage=$(mktemp -d)
bench_only=false; [ "${1:-}" = --bench-only ] && bench_only=true
(cd "$root/bench/llama" && [ -d node_modules/node-llama-cpp ] || npm install --no-audit --no-fund --ignore-scripts)
dotnet publish "$root/bench/llama/Bench/EditorAssist.Llama.Bench.csproj" -c Release -r linux-x64 --self-contained \
  -p:PublishTrimmed=true -p:TreatWarningsAsErrors=false -p:SuppressTrimAnalysisWarnings=true \
  -p:JsonSerializerIsReflectionEnabledByDefault=true -o "$stage/benchpub" --nologo -v q
mkdir -p "$root/.gpu"
tar cf - -C "$stage" benchpub | xz -T2 -6 > "$root/.gpu/bench.tar.xz"
rm -rf "$stage/benchpub"
if $bench_only; then rm -rf "$stage"; ls -la "$root/.gpu"; exit 0; fi
mkdir -p "$stage/node/bin"; cp "$(command -v node)" "$stage/node/bin/node"
mkdir -p "$stage/node_modules"
tar cf - -C "$root/bench/llama/node_modules" --exclude './node-llama-cpp/llama/llama.cpp*' \
  --exclude './node-llama-cpp/llama/gitRelease.bundle' --exclude './@node-llama-cpp' . | tar xf - -C "$stage/node_modules"
mkdir -p "$stage/node_modules/@node-llama-cpp"
cp -a "$root/bench/llama/node_modules/@node-llama-cpp/linux-x64-vulkan" "$stage/node_modules/@node-llama-cpp/"
tar cf - -C "$stage" . | xz -T2 -6 > "$root/.gpu/runtime.tar.xz"
rm -rf "$stage"
ls -la "$root/.gpu"
