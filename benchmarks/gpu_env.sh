# What every prepared GPU run (gpu_bench.sh, gpu_bench_flow.sh) sets up first; sourced, not run. Needs diffusers'
# wheels in .whl/ where the GPU image lacks diffusers (see README, "Performance").
set -o pipefail
export PYTHONUNBUFFERED=1
if [ -d .whl ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
export TORCHINDUCTOR_CACHE_DIR=${TORCHINDUCTOR_CACHE_DIR:-/tmp/fnf_inductor_cache}
OUT=${OUT:-runs/gpu_bench}
mkdir -p "$OUT"
keep() { grep --line-buffered -v -E 'it/s\]|Loading|Writing|Fetching|kept in float32' | tee -a "$1"; }   # progress bars out
