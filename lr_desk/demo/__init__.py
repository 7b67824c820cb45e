"""Synthetic data: the demo profile's working desk, and the ten-year benchmark dataset.

Everything made here is made up from ``lr_desk/data/names.json`` and a seeded random
generator: no row is, or describes, a real person. No Qt.

- ``fill_demo`` (``demo.desk``) writes a small, lively desk through the services, in one
  transaction, so the demo data is validated like typed data and has outbox entries like
  real data. The entry point (``lr_desk.app``) hands it to the desk for the demo profile.
- ``build_dataset`` (``demo.dataset``, ``demo.dataset_visits``) writes the large dataset
  of DESIGN.md's budgets fast, with bulk inserts and no outbox.
- ``demo.synth`` makes up people and times; ``demo.words`` holds what they say.
"""

from lr_desk.demo.dataset import DATASET_MARKER, build_dataset
from lr_desk.demo.desk import fill_demo
from lr_desk.demo.synth import Synth, referral_steps

__all__ = ["DATASET_MARKER", "Synth", "build_dataset", "fill_demo", "referral_steps"]
