"""The knobs of a synthetic world (`SynthConfig`) and the world it produces (`World`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class SynthConfig:
    """Knobs of the synthetic world; the defaults make a hard, varied world.

    Examples
    --------
    >>> SynthConfig(operator_share=0.5).operator_share
    0.5
    """

    operator_share: float = 0.6  # share of accounts posted by operators (3+ accounts)
    min_operator_size: int = 3
    max_operator_size: int = 200
    size_tail: float = 1.2  # Pareto exponent of operator sizes: smaller is heavier-tailed
    two_account_independents: float = 0.3  # share of independents that post twice
    obfuscation_rate: float = 0.45  # share of written phones that are obfuscated
    no_contact_rate: float = 0.08  # ads that show no phone, email or handle
    phone_column_rate: float = 0.25  # ads whose structured phone field is filled
    burner_rate: float = 0.15  # operator ads posted with a burner used for a few ads
    generic_text_rate: float = 0.08  # operator ads not written from the operator's template
    similar_style_rate: float = 0.06  # operators whose template imitates another's (trap)
    hub_ads_share: float = 0.2  # ads on hub platforms carrying the site's footer contacts
    stock_photo_rate: float = 0.06  # ads carrying a widely reused stock photo (photo hub)
    placeholder_rate: float = 0.03  # ads with a placeholder number (123-456-7890, 555-0123)
    trap_rate: float = 0.6  # ads with number-like traps (rates, measurements, zip codes)
    popular_phrase_rate: float = 0.12  # independents using a generic popular phrase
    case_share: float = 0.12  # share of operators (4+ accounts) that are known cases
    decoy_case_share: float = 0.3  # extra subject cases, as a share, matching nobody
    resurfaced_share: float = 0.6  # share of case operators that resurface with a new phone
    n_missing: int | None = None  # missing-child cases; default scales with the world
    missing_seen_share: float = 0.7  # share of missing-child photos that appear in ads
    pdq_rate: float = 0.3  # ads that also carry PDQ hashes
    days: int = 182  # length of the posting window
    start: str = "2024-01-01"


@dataclass
class World:
    """A synthetic world: the input tables, the ground truth and facts about its traps."""

    accounts: pd.DataFrame
    cases: pd.DataFrame
    truth: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)
