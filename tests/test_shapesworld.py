"The shipped ShapesWorld artifacts: a plain diffusers pipeline folder, small safetensors weights, a complete report."
import ast, json
import torch
from diffusers import StableDiffusionPipeline
from conftest import REPO

DATA = REPO/'data'

def test_pipeline_loads_like_sd14():
    pipe = StableDiffusionPipeline.from_pretrained(DATA/'shapesworld', safety_checker=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    img = pipe('a red circle', num_inference_steps=5, guidance_scale=5.0, output_type='pt',
               generator=torch.Generator().manual_seed(0)).images
    assert img.shape == (1, 3, 32, 32) and 0 <= img.min() and img.max() <= 1

def test_weights_small_and_safetensors_only():
    files = [f for f in DATA.rglob('*') if f.is_file()]
    weights = [f for f in files if f.suffix in ('.safetensors', '.bin', '.pt', '.pth', '.ckpt', '.pkl')]
    assert weights and all(f.suffix == '.safetensors' for f in weights), weights
    assert sum(f.stat().st_size for f in weights) <= 30 * 2**20

def test_report_complete():
    r = json.loads((DATA/'world_report.json').read_text())
    assert r['n'] >= 256
    for k in ('oracle_rendered', 'oracle_degraded', 'base_model', 'rewards_rendered', 'rewards_base_samples'): assert k in r
    for k in ('alignment_clean', 'alignment_train_prompts', 'glitch_rate_artifact_set', 'mark_rate_concept_set', 'mark_rate_neutral'):
        assert 0 <= r['base_model'][k] <= 1
    assert set(r['base_model']['alignment_by_category']) == {'basic', 'properties & positioning', 'quantity', 'complex'}
    assert 0 <= r['rewards_base_samples']['artifact_mask_iou'] <= 1
    for k in ('artifact_m_covers', 'artifact_m_on_clean', 'concept_m_covers'): assert 0 <= r['rewards_base_samples'][k] <= 1
    for k in ('train', 'artifact_eval', 'concept_eval', 'concept_control', 'forgetting'): assert (DATA/'prompts'/f'{k}.tsv').is_file()

def test_pretrain_report_matches_shipped_model():
    "The shipped pretraining report describes all three phases of the model in data/shapesworld."
    r = json.loads((DATA/'pretrain_report.json').read_text())
    assert r['decoder_steps'] > 0 and abs(r['training_seconds'] - r['vae_seconds'] - r['unet_seconds'] - r['decoder_seconds']) < 1e-6
    vae = json.loads((DATA/'shapesworld'/'vae'/'config.json').read_text())
    assert abs(vae['scaling_factor'] - r['latent_scale']) < 1e-9

def gates_written_before_training() -> dict:
    "The GATES dict of nbs/reward_models.ipynb, read from its cell tagged 'gates' without running anything."
    nb = json.loads((REPO/'nbs'/'reward_models.ipynb').read_text())
    src = ''.join(next(c for c in nb['cells'] if 'gates' in c['metadata'].get('tags', []))['source'])
    return ast.literal_eval(src[src.index('{'):src.rindex('}') + 1])

def recomputed(value, op, threshold):
    "A gate's verdict from its value and threshold alone (None where there is no value)."
    assert op in ('>=', '<='), op
    return None if value is None else (value >= threshold if op == '>=' else value <= threshold)

def test_reward_gates_verdicts():
    "Every gate in the report has the notebook's threshold, and each recorded verdict follows from its value."
    r = json.loads((DATA/'world_report.json').read_text())
    gates, written = r['reward_gates'], gates_written_before_training()
    assert set(gates) == set(written)
    for k, g in gates.items():
        assert (g['op'], g['threshold']) == tuple(written[k]), k
        assert g['value'] is not None, k
        for value, verdict in ((g['value'], g['verdict']), (g['previous'], g['previous_verdict'])):
            assert verdict == recomputed(value, g['op'], g['threshold']), (k, value, verdict)
    art = json.loads((DATA/'rewards'/'artifact.json').read_text())
    assert all(art['gates'][k] == g['value'] for k, g in gates.items() if k.startswith('artifact')), 'the report and the shipped model disagree'

def test_readme_gate_table_is_the_reports():
    "The README's gate table and training summary are the ones the report's values give, verdicts recomputed."
    from focus_n_fix.shapes_rewards import gates_markdown, gates_summary
    r = json.loads((DATA/'world_report.json').read_text())
    a, b = '<!-- reward_gates: data/world_report.json -->\n', '<!-- end reward_gates -->'
    text = (REPO/'README.md').read_text()
    assert text[text.index(a) + len(a):text.index(b)] == gates_markdown(r['reward_gates']) + '\n' + gates_summary(r['reward_gates_context'])

def test_readme_make_train_table():
    "The README's make-train table is data/make_train.json's, and its 'after' runs used today's shipped model and reward."
    import importlib.util
    from focus_n_fix.runfolder import files_fingerprint
    from focus_n_fix.rewards import reward_files
    from focus_n_fix.pipelines import model_files
    spec = importlib.util.spec_from_file_location('make_train_table', REPO/'tools'/'make_train_table.py')
    mt = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mt)
    d = json.loads((DATA/'make_train.json').read_text())
    text = (REPO/'README.md').read_text()
    a, b = mt.MARK
    assert text[text.index(a) + len(a):text.index(b)] == mt.render(d)
    folder, files = model_files('shapesworld')
    for run in d['after'].values():
        assert run['fingerprint']['reward'] == files_fingerprint(reward_files('artifact')), 'the artifact reward changed: rerun the make-train table'
        assert run['fingerprint']['model'] == files_fingerprint(files, folder), 'the base model changed: rerun the make-train table'
    for run in d['before'].values():
        assert run['fingerprint']['reward'] != d['after']['focus_n_fix']['fingerprint']['reward'], "'before' must be the old reward"

def test_readme_world_table_is_the_reports():
    "The README's ShapesWorld table is the one data/world_report.json gives (no typed number)."
    from focus_n_fix.shapes_rewards import world_table
    r = json.loads((DATA/'world_report.json').read_text())
    a, b = '<!-- world_table: data/world_report.json -->\n', '<!-- end world_table -->'
    text = (REPO/'README.md').read_text()
    assert text[text.index(a) + len(a):text.index(b)] == world_table(r)

def test_readme_weight_sizes():
    "The sizes the README states for the shipped weights are the files' (MiB, rounded as written)."
    text = (REPO/'README.md').read_text()
    weights = sum(f.stat().st_size for d in ('shapesworld', 'rewards') for f in (DATA/d).rglob('*.safetensors'))
    total = sum(f.stat().st_size for f in DATA.rglob('*') if f.is_file())
    art = (DATA/'rewards'/'artifact.safetensors').stat().st_size
    assert f"`DenseUNet`, {art / 2**20:.1f} MB of float32\nweights); all weights in `data/`: {round(weights / 2**20)} MB" in text
    assert f"carries `data/` ({round(total / 2**20)} MB:" in text
