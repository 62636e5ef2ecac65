"""Two processes fine-tune data-parallel and end with identical LoRA weights.

With accelerate 1.x on a machine without GPUs, `accelerate launch --cpu --num_processes 2` starts a single
process; two CPU processes take `--multi_gpu` (torch.distributed with gloo; the script builds
`Accelerator(cpu=True)`)."""
import json
from conftest import BIN, SMALL, run

def test_two_processes_agree(tmp_path):
    r = run([BIN/'accelerate', 'launch', '--multi_gpu', '--num_processes', 2, '--num_machines', 1, '--mixed_precision', 'no',
             '--dynamo_backend', 'no', '--main_process_port', 29517, BIN/'fnf-train', '--out_dir', tmp_path/'run', *SMALL])
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path/'run'/'metrics.json').read_text())['train']
    assert m['num_processes'] == 2
    assert m['steps'] == 2 and m['skipped_steps'] == 0
    assert m['rank_max_abs_diff'] == 0.0
    logs = [json.loads(l) for l in (tmp_path/'run'/'log.jsonl').read_text().splitlines()]
    assert [l['step'] for l in logs] == [1, 2]

def test_two_processes_agree_on_a_flow_transformer(tmp_path):
    "The same on the tiny FLUX (transformer, guidance embedding, flow-matching sampler): gloo data parallel on the CPU."
    from safetensors.torch import load_file
    r = run([BIN/'accelerate', 'launch', '--multi_gpu', '--num_processes', 2, '--num_machines', 1, '--mixed_precision', 'no',
             '--dynamo_backend', 'no', '--main_process_port', 29518, BIN/'fnf-train', '--out_dir', tmp_path/'run',
             '--model', 'tiny-random-flux', '--guidance', '3.5', *SMALL])
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path/'run'/'metrics.json').read_text())['train']
    assert (m['num_processes'], m['steps'], m['skipped_steps'], m['rank_max_abs_diff']) == (2, 2, 0, 0.0)
    w = load_file(tmp_path/'run'/'pytorch_lora_weights.safetensors')
    assert any('ff_context' in k for k in w) and any(v.abs().max() > 0 for k, v in w.items() if 'lora_B' in k)  # the adapter moved
