#!/usr/bin/env bash
# CPU run of the local-runtime benchmark on a quiet many-core machine (the lent GPU machine's
# host CPU): our binding now, our binding before the persistent CPU thread pool, and LLamaSharp
# 0.30.0 (its own CPU build), same generated model, prompt, greedy settings and thread count,
# interleaved. The kit (.cpukit/kit.tar.xz, git-ignored) holds a .NET runtime, the three bench
# builds and our llama.cpp CPU build; see BENCHMARKS.md for how it was packed.
# Usage: bash bench/llama/cpu.sh [shapes] [threads] [gen] [runs]  → JSON lines on stdout.
set -uo pipefail
shapes=${1:-tiny,250m}; threads=${2:-1,2,8}; gen=${3:-64}; runs=${4:-2}
root=$(cd "$(dirname "$0")/../.." && pwd)
kit=/tmp/ea-cpukit; mkdir -p $kit
tar xJf "$root/.cpukit/kit.tar.xz" -C $kit
export DOTNET_ROOT=$kit/dotnet PATH=$kit/dotnet:$PATH
export EDITORASSIST_LLAMA_DIR=$kit/llama
work=/tmp/ea-cpu; mkdir -p $work
words="hello world the of in and code model token fast"
prompt=$work/prompt.txt; : > $prompt
while [ "$(wc -c < $prompt)" -lt 1000 ]; do printf '%s ' $words >> $prompt; done
echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for shape in ${shapes//,/ }; do
  model=$work/$shape.gguf
  [ -f $model ] || dotnet $kit/ea/EditorAssist.Llama.Bench.dll write-model $shape $model >&2
  for t in ${threads//,/ }; do
    for impl in ea ea-old sharp sharp ea-old ea; do
      case $impl in
        ea) dll=$kit/ea/EditorAssist.Llama.Bench.dll ;;
        ea-old) dll=$kit/ea-old/EditorAssist.Llama.Bench.dll ;;
        sharp) dll=$kit/sharp/EditorAssist.Llama.LlamaSharpBench.dll ;;
      esac
      out=$(timeout 240 dotnet $dll run $model $prompt $gen $t $runs 2>>$work/$impl.log | tail -1)
      echo "{\"shape\":\"$shape\",\"threads\":$t,\"runner\":\"$impl\",\"result\":${out:-null}}"
    done
  done
done
for f in $work/*.log; do echo "== $f" >&2; tail -5 $f >&2; done
