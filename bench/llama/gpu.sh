#!/usr/bin/env bash
# GPU run of the local-runtime benchmark (bench/llama): EditorAssist's binding vs node-llama-cpp
# 3.22.1 on the same Vulkan build (@node-llama-cpp/linux-x64-vulkan), same generated model,
# every layer offloaded, greedy. Meant for a lent GPU machine (the `device` tool), which has
# neither .NET nor the project's node_modules: bench/llama/make-gpu-kit.sh packs a self-contained
# bench, node, node-llama-cpp and the Vulkan build into .gpu/, carried with the tree.
# Usage on the machine: bash bench/llama/gpu.sh [shapes] [gen] [runs]  → JSON lines on stdout.
set -uo pipefail
shapes=${1:-tiny,250m,1b}; gen=${2:-128}; runs=${3:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
kit=/tmp/ea-kit; mkdir -p $kit
tar xJf "$root/.gpu/runtime.tar.xz" -C $kit
tar xJf "$root/.gpu/bench.tar.xz" -C $kit
export PATH=$kit/node/bin:$PATH
# node resolves node-llama-cpp from bench/llama/node/bench.mjs upwards: put the kit's there,
# unless this tree already has its own (a development machine).
[ -e "$root/bench/llama/node_modules" ] || ln -s $kit/node_modules "$root/bench/llama/node_modules"
export EDITORASSIST_LLAMA_DIR=$kit/node_modules/@node-llama-cpp/linux-x64-vulkan/bins/linux-x64-vulkan
bench=$kit/benchpub/EditorAssist.Llama.Bench
work=/tmp/ea-gpu; mkdir -p $work
words="hello world the of in and code model token fast"
prompt=$work/prompt.txt; : > $prompt
while [ "$(wc -c < $prompt)" -lt 1000 ]; do printf '%s ' $words >> $prompt; done
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2 || true
echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)" >&2
threads=$(( $(nproc) > 2 ? $(nproc) - 1 : 1 ))
for shape in ${shapes//,/ }; do
  model=$work/$shape.gguf
  [ -f $model ] || $bench write-model $shape $model >&2
  for mode in ${MODES:-gpu cpu}; do
    # CPU runs of the 1 B shape take minutes on their own and say nothing about the GPU path.
    [ "$mode" = cpu ] && [ "$shape" = 1b ] && continue
    layers=0; [ "$mode" = gpu ] && layers=999
    for impl in ea nlc nlc ea; do  # interleaved, each side twice
      if [ $impl = ea ]; then
        out=$(EA_BENCH_GPU_LAYERS=$layers timeout 300 $bench run $model $prompt $gen $threads $runs 2>>$work/ea.log | tail -1)
      else
        out=$(EA_BENCH_GPU_LAYERS=$layers timeout 300 node "$root/bench/llama/node/bench.mjs" $model $prompt $gen $threads $runs 2>>$work/nlc.log | tail -1)
      fi
      echo "{\"shape\":\"$shape\",\"mode\":\"$mode\",\"threads\":$threads,\"result\":${out:-null}}"
    done
  done
done
tail -20 $work/ea.log $work/nlc.log >&2
