#!/bin/sh
# Proves that the binding's structs and entry points fit every llama.cpp build the VSIXs ship
# (docs/PACKAGING.md): compiles abi_probe.c against each node-llama-cpp version's llama.cpp
# headers, requires identical output, and requires every function NativeMethods.cs imports to be
# declared in each. Downloads ~35 MB per version into the git-ignored .cache/abi/.
#   sh tests/EditorAssist.Llama.Tests/abi/check-versions.sh 3.21.1 3.22.1
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cache="$root/.cache/abi"
mkdir -p "$cache"
funcs=$(grep -oE 'static partial [^(]*\b(llama|ggml)_[a-z_0-9]+' "$root/server/EditorAssist.Llama/Native/NativeMethods.cs" | grep -oE '(llama|ggml)_[a-z_0-9]+$' | sort -u)
first=""
[ $# -gt 0 ] || set -- 3.21.1 3.22.1
for v in "$@"; do
  d="$cache/$v"
  if [ ! -d "$d/src" ]; then
    mkdir -p "$d" && (cd "$d" && npm pack "node-llama-cpp@$v" --silent >/dev/null && tar xzf "node-llama-cpp-$v.tgz" package/llama/gitRelease.bundle && git -c advice.detachedHead=false clone -q package/llama/gitRelease.bundle src && rm -rf package "node-llama-cpp-$v.tgz")
  fi
  cc -I"$d/src/include" -I"$d/src/ggml/include" "$here/abi_probe.c" -o "$d/probe" && "$d/probe" > "$d/probe.txt"
  missing=0
  for f in $funcs; do grep -rqw "$f" "$d/src/include" "$d/src/ggml/include" || { echo "node-llama-cpp $v: $f is not declared"; missing=1; }; done
  [ $missing -eq 0 ] || exit 1
  echo "node-llama-cpp $v (llama.cpp $(cd "$d/src" && git rev-parse --short HEAD)): $(wc -l < "$d/probe.txt") layout lines, $(echo "$funcs" | wc -w) entry points declared"
  if [ -z "$first" ]; then first="$d/probe.txt"; else diff "$first" "$d/probe.txt" && echo "  struct layouts identical to the first version"; fi
done
