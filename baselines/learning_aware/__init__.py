"""Learning-aware baselines: naive learners, LOLA, LOLA-DiCE, M-FOS and COALA-PG.

- :mod:`.exact`: the closed-form discounted value of two memory-one policies in torch, and the
  naive, LOLA and look-ahead gradients;
- :mod:`.dice`: LOLA-DiCE on episodes sampled by the batched core;
- :mod:`.mfos`: M-FOS, a PPO meta-agent shaping naive learners;
- :mod:`.coala`: COALA-PG, a GRU agent over meta-trajectories against naive learners and copies
  of itself (preset ``coala_cpu``);
- :mod:`.config`, :mod:`.trainer`: their configurations, presets and run-loop algorithms
  (``python -m baselines.train --preset lola_exact``; docs/learning_aware.md).
"""
