"Rewards that misbehave, for the failure-path tests (importable as 'broken_rewards:factory')."
import torch
from focus_n_fix.rewards import DenseReward, blueness_model

def nan_reward(device=None):
    "Blueness whose score is NaN."
    return DenseReward(lambda i, p: (blueness_model(i, p)[0] * float('nan'), blueness_model(i, p)[1]))

def nan_once_reward(device=None):
    "Blueness whose score is NaN at its first call only (step 1), as a rare overflow would be."
    calls = []
    def model(i, p):
        calls.append(1)
        score, heat = blueness_model(i, p)
        return (score * float('nan') if len(calls) == 1 else score), heat
    return DenseReward(model)

class _BadMask(DenseReward):
    def region(self, images, prompts=None): return torch.ones(len(images), 1, 7, 7)

def bad_mask_reward(device=None):
    "Blueness whose region function returns 7x7 masks for 32x32 images."
    return _BadMask(blueness_model)
