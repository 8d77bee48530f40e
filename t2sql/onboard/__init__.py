"""Onboarding: a newly connected database learns its own vocabulary, values and practice pairs."""

from t2sql.onboard.stages import STAGE_NAMES, STAGES, Artifacts, Onboarding, Progress, folder

__all__ = ["Artifacts", "Onboarding", "Progress", "STAGES", "STAGE_NAMES", "folder"]
