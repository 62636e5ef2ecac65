"The shipped ShapesWorld artifacts: a plain diffusers pipeline folder, small safetensors weights, a complete report."
import json
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
    for k in ('train', 'artifact_eval', 'concept_eval', 'concept_control', 'forgetting'): assert (DATA/'prompts'/f'{k}.tsv').is_file()

def test_pretrain_report_matches_shipped_model():
    "The shipped pretraining report describes all three phases of the model in data/shapesworld."
    r = json.loads((DATA/'pretrain_report.json').read_text())
    assert r['decoder_steps'] > 0 and abs(r['training_seconds'] - r['vae_seconds'] - r['unet_seconds'] - r['decoder_seconds']) < 1e-6
    vae = json.loads((DATA/'shapesworld'/'vae'/'config.json').read_text())
    assert abs(vae['scaling_factor'] - r['latent_scale']) < 1e-9
