"""The settings of linking, in one frozen dataclass that the run passes down."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LinkConfig:
    """Knobs of entity resolution. Evidence weights are not here: they are estimated from
    the data of each run (``link.weights``); these say which pairs are looked at and how
    sure a merge must be.

    photo_radius : Hamming radius (bits of 64) for the same photo re-uploaded
    pdq_radius : Hamming radius (bits of 256) for PDQ hashes (``pdq_hashes``); a PDQ
        group whose accounts all share one pHash group is that photo again and adds nothing
    use_pdq : group PDQ hashes too, where accounts carry them (off by default: on our
        worlds it left entity F1 unchanged and took twice as long to group photos)
    max_pair_accounts : a value held by more accounts than this is not compared pair by
        pair (200 accounts: 19,900 pairs). Its weight there would be log2(m N / k), below
        the prior's magnitude at any N we measured (5k-1M), so it could not link alone
    merge_bits : two groups may join when their best pair's log-odds (bits) is at least
        this (3 bits: match probability 0.89). Measured this stop with the final rule:
        synth 5k/20k/3k F1 0.988/0.988/0.978 at 2 bits, 0.986/0.984/0.968 at 3; the
        held-out us-20k world 0.880 at 2 bits, 0.915 at 3 (chance text pairs in one city
        chain groups below that); 3 keeps precision, which analysts need most
    strong_bits : a group of ``small_group`` + 1 accounts may also join on one pair this
        strong (6 bits: probability 0.985); larger groups need support (``resolve.cluster``)
    small_group : groups of at most this many accounts may join on one piece of evidence
    u_pairs : random pairs drawn to measure how often unrelated accounts agree
    text_threshold, text_num_perm, text_bands, text_max_bucket : MinHash/LSH search for
        similar ads. 128 x 42 bands of 3 rows finds a pair at similarity 0.45 with
        probability 0.98 and 0.3 with 0.68
    hub_min_accounts, hub_max_cohesion, hub_max_share, text_merge_threshold : the
        identifier-only hub test ``hubs.find_hubs`` used by the watch state
    """

    photo_radius: int = 8
    pdq_radius: int = 31
    use_pdq: bool = False
    max_pair_accounts: int = 200
    merge_bits: float = 3.0
    strong_bits: float = 6.0
    small_group: int = 2
    u_pairs: int = 1_000_000
    text_threshold: float = 0.3
    text_num_perm: int = 128
    text_bands: int = 42
    text_max_bucket: int = 500
    use_text: bool = True
    use_photos: bool = True
    hub_min_accounts: int = 6
    hub_max_cohesion: float = 0.4
    hub_max_share: float = 0.05
    text_merge_threshold: float = 0.45
    seed: int = 0
