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

def test_fsdp_shards_the_base_weights(tmp_path):
    """fsdp=True on two CPU processes (torch FSDP2 over gloo) on the tiny FLUX, with a reference bank (drawn by both
    processes together): each process holds half of the transformer's base weights, and the adapter is the one the same
    run trains without sharding."""
    from safetensors.torch import load_file
    ws = {}
    for fsdp, port in ((False, 29519), (True, 29520)):
        out = tmp_path/f'fsdp_{fsdp}'
        r = run([BIN/'accelerate', 'launch', '--multi_gpu', '--num_processes', 2, '--num_machines', 1, '--mixed_precision', 'no',
                 '--dynamo_backend', 'no', '--main_process_port', port, BIN/'fnf-train', '--out_dir', out,
                 '--model', 'tiny-random-flux', '--guidance', '3.5', '--bank_size', '8', '--fsdp', str(fsdp), *SMALL])
        assert r.returncode == 0, r.stderr[-3000:]
        m = json.loads((out/'metrics.json').read_text())
        assert (m['train']['num_processes'], m['train']['steps'], m['train']['skipped_steps'], m['train']['rank_max_abs_diff']) == (2, 2, 0, 0.0)
        held = m['train']['base_weights_held']
        assert (held == 1.0) if not fsdp else (0.45 < held < 0.55), (fsdp, held)
        assert 'eval' in m and json.loads((out/'config.json').read_text())['fsdp'] is fsdp
        ws[fsdp] = load_file(out/'pytorch_lora_weights.safetensors')
        print(f'fsdp={fsdp}: base weights held by the main process {held:.4f}')
    assert ws[True].keys() == ws[False].keys()
    assert any(v.abs().max() > 0 for k, v in ws[True].items() if 'lora_B' in k)      # the adapter moved
    worst = max((ws[True][k] - ws[False][k]).abs().max().item() for k in ws[True])
    print(f'adapter, fsdp against data parallel: max |difference| {worst:.3g}')
    assert worst < 1e-5, worst                                                         # and moved as without sharding
