#!/usr/bin/env bash
# Issue 14's bad inputs, as a new user meets them: prints each input with its exit code and the last line it printed.
#   bash benchmarks/bad_inputs.sh        # about 5 minutes on a 2-core CPU; works in a temporary folder, removed after
# The tests that pin each outcome are tests/test_run_folders.py, tests/test_failures.py and the notebooks named there.
set -u
R=$(cd "$(dirname "$0")/.." && pwd); B=$R/.venv/bin
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT; cd "$T"
export HF_HUB_OFFLINE=1
TINY="--model tiny-random --reward blueness --prompts tiny --eval_prompts tiny --judge None --steps 2 --sample_steps 4 --eval_seeds 1"
case1() { name="$1"; shift; out=$("$@" 2>&1 >/dev/null); rc=$?; echo "| $name | $rc | $(echo "$out" | grep -v '^\s*$' | tail -1 | cut -c1-240) |"; }
echo "| input | exit | last line |"; echo "|---|---|---|"
mkdir -p x/checkpoint-500 && echo w > x/checkpoint-500/m.safetensors && echo d > x/.draft.tmp.md
case1 "out_dir with checkpoint-500/ and .draft.tmp.md" $B/fnf-train $TINY --out_dir x
echo "| (left in x) | | $(ls -A x | tr '\n' ' ') |"
case1 "--out_dir ''" $B/fnf-train $TINY --out_dir ''
case1 "--lr inf" $B/fnf-train $TINY --out_dir r1 --lr inf
case1 "--beta nan" $B/fnf-train $TINY --out_dir r1 --beta nan
case1 "--guidance nan" $B/fnf-train $TINY --out_dir r1 --guidance nan
case1 "--lora_alpha 0" $B/fnf-train $TINY --out_dir r1 --lora_alpha 0
case1 "--grad_clip -1" $B/fnf-train $TINY --out_dir r1 --grad_clip -1
printf 'steps: 2.7\n' > s27.yaml; case1 "YAML steps: 2.7" $B/fnf-train $TINY --config s27.yaml --out_dir r1
printf 'lr: 1e-3\nsteps: 2\n' > lr.yaml; case1 "YAML lr: 1e-3" $B/fnf-train $TINY --config lr.yaml --out_dir r_lr
echo "| (config.json lr) | | $($B/python -c "import json;print(json.load(open('r_lr/config.json'))['lr'])") |"
printf 'steps: ten\n' > ten.yaml; case1 "YAML steps: ten" $B/fnf-train $TINY --config ten.yaml --out_dir r1
printf -- '- a\n- b\n' > list.yaml; case1 "YAML list at top level" $B/fnf-train $TINY --config list.yaml --out_dir r1
printf 'reward: os:system\n' > code.yaml; case1 "YAML reward: os:system" $B/fnf-train ${TINY/--reward blueness/} --config code.yaml --out_dir r2
echo mine > afile; case1 "out_dir is a file" $B/fnf-train $TINY --out_dir afile
head -c 300 /dev/urandom > bin.txt; case1 "binary prompts file" $B/fnf-train $TINY --prompts bin.txt --out_dir r3
$B/fnf-train $TINY --out_dir fin >/dev/null 2>&1
case1 "finished 2-step run, --steps 1" $B/fnf-train $TINY --out_dir fin --steps 1
cp -r fin fin2; truncate -s 200 fin2/pytorch_lora_weights.safetensors
case1 "finished run, adapter truncated to 200 bytes" $B/fnf-train $TINY --out_dir fin2
cp -r fin fin3; echo 'garbage{' > fin3/config.json
case1 "garbage config.json" $B/fnf-train $TINY --out_dir fin3
# the first run stops itself (SIGSTOP, the fault hook of storage.fault_point) after logging step 1, holding the lock
FOCUS_N_FIX_KILL_AT=step.logged:1:STOP $B/fnf-train $TINY --out_dir two --steps 6 >/dev/null 2>&1 & first=$!
while [ "$(awk '{print $3}' /proc/$first/stat 2>/dev/null)" != T ]; do sleep 0.2; done
case1 "second fnf-train on the same out_dir" $B/fnf-train $TINY --out_dir two --steps 6
kill -CONT $first; wait $first; echo "| (first run's log.jsonl steps) | $? | $($B/python -c "import json;print([json.loads(l)['step'] for l in open('two/log.jsonl')])") |"
# Issue 29 (second round): the inputs mended so far, each pinned by the test named in the closing note.
case1 "--K 0" $B/fnf-train $TINY --out_dir r_k0 --K 0
echo "| (r_k0 exists) | | $([ -e r_k0 ] && echo yes || echo no) |"
cp -r fin fin4; echo mine > fin4/.notes.tmp1; echo mine > fin4/notes.txt
case1 "finished run with a user's .notes.tmp1, continued --steps 3" $B/fnf-train $TINY --out_dir fin4 --steps 3
echo "| (left in fin4) | | $(ls -A fin4 | grep -i notes | tr '\n' ' ') |"
case1 "make train -p stpes 2 (last line)" $B/python "$R/tools/run_notebook.py" mt.log 'make train' --log-output "$R/nbs/train.ipynb" mt.ipynb -p stpes 2
mkdir -p study/page && echo mine > study/page/study.html
case1 "fnf-study build into a folder holding page/study.html" $B/fnf-study build study --run m=fin
echo "| (study/page/study.html) | | $(cat study/page/study.html) |"
case1 "fnf-study build --return_url javascript:" $B/fnf-study build study2 --run m=fin --return_url 'javascript:alert(document.domain)//'
case1 "fnf-study ingest --known_misses -5" $B/fnf-study ingest study answers.csv --known_misses -5
case1 "--out_dir of 300 characters" $B/fnf-train $TINY --out_dir "$(printf 'r%.0s' $(seq 300))"
echo notes > notes.txt; case1 "--bank_file a text file (--redo_stale True)" $B/fnf-train $TINY --out_dir r_b --bank_size 4 --bank_file notes.txt --redo_stale True
case1 "--base_images an adapter" $B/fnf-train $TINY --out_dir r_b --base_images fin/pytorch_lora_weights.safetensors
mkdir -p pdir; case1 "--prompts a folder" $B/fnf-train $TINY --out_dir r_b --prompts pdir
case1 "--prompts /dev/null" $B/fnf-train $TINY --out_dir r_b --prompts /dev/null
printf 'Prompt\n"unterminated,x\n' > bad.csv; case1 "CSV prompts with an unterminated quote" $B/fnf-train $TINY --out_dir r_b --prompts bad.csv
case1 "--lora_rank 100000" $B/fnf-train $TINY --out_dir r_b --lora_rank 100000
echo "| (r_b exists) | | $([ -e r_b ] && echo yes || echo no) |"
$B/python - <<'PY'
import io, json, tempfile
from pathlib import Path
import pandas as pd
from focus_n_fix.human_eval import validate_ratings, COLUMNS
from focus_n_fix.storage import load_checkpoint
from focus_n_fix.methods import evaluate_run
def show(name, f):
    try:
        f(); print(f'| {name} | ok | |')
    except Exception as e:
        print(f'| {name} | {type(e).__name__} | {str(e)[:240]} |')
show('ratings: header-only CSV', lambda: validate_ratings(pd.read_csv(io.StringIO(','.join(COLUMNS) + '\n'))))
show('ratings: votes True/False', lambda: validate_ratings(pd.DataFrame({'prompt': ['a'] * 2, 'method': ['m'] * 2,
     'aspect': ['safety'] * 2, 'rater': [1, 2], 'vote': [True, False]})))
d = Path(tempfile.mkdtemp(dir='.'))
(d/'checkpoint.json').write_text(json.dumps({'dir': '../elsewhere', 'step': 2}))
show("checkpoint.json dir '../elsewhere'", lambda: load_checkpoint(d))
c = json.loads(Path('fin/config.json').read_text()); c['reward'] = 'os:system'; Path('fin/config.json').write_text(json.dumps(c))
show("evaluate_run, config.json reward 'os:system'", lambda: evaluate_run('fin', 'tiny', 'x'))
PY
