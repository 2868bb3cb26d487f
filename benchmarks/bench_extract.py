"""Benchmark: workbench.extract against phonenumbers.PhoneNumberMatcher + an email regex.

Generates synthetic ads with known identifiers (its own small seeded generator, so the
truth is exact), runs both extractors single-threaded on the same texts and prints
texts/second and per-kind precision / recall, overall and on obfuscated forms only.
Then scores the project's own labelled set (``tests/extract_cases/cases.jsonl``:
hand-written synthetic ads in several languages and regions) and prints precision and
recall per class and per language.

Fair on a shared machine: both extractors first run once on a few hundred other ads
(one-off costs such as phonenumbers loading its metadata or a first compile are paid
outside the timing, by both), then take turns on the same slices of the ads, so that
load from other processes falls on both alike.

    python benchmarks/bench_extract.py --ads 100000 --seed 0
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import phonenumbers

from workbench.extract import extract_frame
from workbench.extract.labelled import load_cases, score_cases, summarise

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "extract_cases" / "cases.jsonl"

NAMES = ["jade", "kim", "lucy", "mia", "ruby", "nina", "cleo", "ava", "lola", "zoe"]
DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
SPANISH = ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"]
FILLER = [
    "New in town",
    "sweet and discreet",
    "upscale only",
    "QV 100 HH 150 H 250",
    "34-24-36 5'4",
    "22yo",
    "available 24/7",
    "no rush",
    "incall/outcall",
    "ad #48213",
    "posted 2024-05-01 11pm",
    "$200/hr",
    "150 roses",
    "2 hrs 300",
    "Houston TX 77002",
    "ref 1234567890",
    "10/12/2024",
]
AREAS = ["713", "832", "281", "214", "469", "305", "786", "212", "646", "404"]


def _phone(rng) -> tuple[str, str]:
    area = AREAS[rng.integers(len(AREAS))]
    mid = str(rng.integers(200, 1000))
    line = f"{rng.integers(0, 10000):04d}"
    digits = area + mid + line
    e164 = "+1" + digits
    if not phonenumbers.is_valid_number(phonenumbers.parse(e164)) or mid == "555":
        return _phone(rng)
    return digits, e164


def _render_phone(digits: str, style: int) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    forms = [
        f"{a}-{b}-{c}",
        f"({a}) {b}-{c}",
        f"{a}.{b}.{c}",
        f"+1 {a} {b} {c}",  # plain
        " ".join(DIGIT_WORDS[int(d)] for d in digits),
        " ".join(SPANISH[int(d)] for d in digits),
        f"{a[0]}{DIGIT_WORDS[int(a[1])]}{a[2]} {b} {c[0]}{DIGIT_WORDS[int(c[1])]}{c[2:]}",
        "".join(chr(0xFF10 + int(d)) for d in digits),
        "".join(d + "\ufe0f\u20e3" for d in digits),
        f"{a}💋{b}💋{c}",
        f"{a}\n{b}\n{c}",
        " ".join(digits),
        f"{a}-{b}-{c}".replace("0", "O").replace("1", "l"),
    ]
    return forms[style]


N_PLAIN_PHONE_STYLES = 4


def _render_email(local: str, domain: str, style: int) -> str:
    host, _, tld = domain.rpartition(".")
    forms = [
        f"{local}@{domain}",
        f"{local} at {host} dot {tld}",
        f"{local}[at]{host}[dot]{tld}",
        f"{local} @ {host} . {tld}",
        f"{local} AT {host} DOT {tld}",
        f"{local}(at){host}(dot){tld}",
    ]
    return forms[style]


def generate_ads(n: int, seed: int, repost: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accounts (account_id, text) and truth (account_id, kind, value, obfuscated).

    Each of ~n/4 operators writes several ads with the same contacts in varying
    words; with probability ``repost`` an ad is an exact copy of an earlier ad of the
    same operator (real scrapes are full of reposts).
    """
    rng = np.random.default_rng(seed)
    n_ops = max(1, n // 4)
    ops = []
    for _ in range(n_ops):
        digits, e164 = _phone(rng)
        name = NAMES[rng.integers(len(NAMES))] + str(rng.integers(10, 100))
        domain = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com"][rng.integers(4)]
        ops.append((digits, e164, name, domain))
    texts, truth = [], []
    last: dict[int, tuple[str, list]] = {}
    for i in range(n):
        op = int(rng.integers(n_ops))
        digits, e164, name, domain = ops[op]
        aid = f"a{i}"
        if op in last and rng.random() < repost:
            text, rows = last[op]
            texts.append(text)
            truth += [(aid, *row) for row in rows]
            continue
        first_row = len(truth)
        parts = [FILLER[j] for j in rng.choice(len(FILLER), 3, replace=False)]
        if rng.random() < 0.9:
            style = int(rng.integers(13))
            parts.append("call " + _render_phone(digits, style))
            truth.append((aid, "phone", e164, style >= N_PLAIN_PHONE_STYLES))
        if rng.random() < 0.4:
            style = int(rng.integers(6))
            parts.append(_render_email(name, domain, style))
            truth.append((aid, "email", f"{name}@{domain}", style > 0))
        if rng.random() < 0.3:
            parts.append(f"IG: {name}")
            truth.append((aid, "handle", f"instagram:{name}", False))
        rng.shuffle(parts)
        texts.append(" ".join(parts))
        last[op] = (texts[-1], [row[1:] for row in truth[first_row:]])
    accounts = pd.DataFrame({"account_id": [f"a{i}" for i in range(n)], "text": texts})
    return accounts, pd.DataFrame(truth, columns=["account_id", "kind", "value", "obfuscated"])


EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def baseline(accounts: pd.DataFrame, region: str = "US") -> pd.DataFrame:
    """phonenumbers.PhoneNumberMatcher plus a plain email regex, every text."""
    rows = []
    for aid, text in zip(accounts.account_id, accounts.text, strict=True):
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            rows.append(
                (
                    aid,
                    "phone",
                    phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164),
                )
            )
        for m in EMAIL_RE.finditer(text):
            rows.append((aid, "email", m.group().lower()))
    return pd.DataFrame(rows, columns=["account_id", "kind", "value"]).drop_duplicates()


def score(found: pd.DataFrame, truth: pd.DataFrame, kinds, obfuscated_only=False) -> dict:
    out = {}
    for kind in kinds:
        want = truth[truth.kind == kind]
        if obfuscated_only:
            want = want[want.obfuscated]
        want_keys = set(zip(want.account_id, want.value, strict=True))
        got = found[found.kind == kind]
        got_keys = set(zip(got.account_id, got.value, strict=True))
        if obfuscated_only:  # precision is not defined on a subset; recall only
            got_keys &= want_keys
        tp = len(got_keys & want_keys)
        p = tp / len(got_keys) if got_keys else 1.0
        r = tp / len(want_keys) if want_keys else 1.0
        out[kind] = (p, r)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repost",
        type=float,
        default=0.0,
        help="share of ads that are exact reposts (0 = every text new)",
    )
    parser.add_argument(
        "--baseline-ads",
        type=int,
        default=None,
        help="run the (slow) baseline on the first N ads only; default all",
    )
    parser.add_argument(
        "--turns",
        type=int,
        default=10,
        help="slices the two extractors take turns on (1 = one run each)",
    )
    parser.add_argument(
        "--labelled-only",
        action="store_true",
        help="only the tables of the labelled set (no speed run)",
    )
    args = parser.parse_args()
    if args.labelled_only:
        labelled_tables(LABELLED)
        return

    accounts, truth = generate_ads(args.ads, args.seed, args.repost)
    print(
        f"{len(accounts)} ads, {accounts.text.nunique()} distinct texts, {len(truth)} true identifiers"
    )

    warm_up, _ = generate_ads(500, args.seed + 1, args.repost)
    extract_frame(warm_up)
    baseline(warm_up)

    sub = accounts if args.baseline_ads is None else accounts.head(args.baseline_ads)
    ours_parts, base_parts = [], []
    ours_s = base_s = 0.0
    for k, part in enumerate(np.array_split(np.arange(len(accounts)), args.turns)):
        slice_ours = accounts.iloc[part]
        slice_base = slice_ours[slice_ours.account_id.isin(sub.account_id)]
        for side in (0, 1) if k % 2 == 0 else (1, 0):  # who goes first alternates
            started = time.perf_counter()
            if side == 0:
                ours_parts.append(extract_frame(slice_ours))
                ours_s += time.perf_counter() - started
            elif len(slice_base):
                base_parts.append(baseline(slice_base))
                base_s += time.perf_counter() - started
    ours = pd.concat(ours_parts, ignore_index=True)
    base = pd.concat(base_parts, ignore_index=True)
    sub_truth = truth[truth.account_id.isin(sub.account_id)]
    ours_sub = ours[ours.account_id.isin(sub.account_id)]

    kinds = ("phone", "email", "handle")
    rows = [
        (
            "workbench.extract",
            len(accounts) / ours_s,
            score(ours_sub, sub_truth, kinds),
            score(ours_sub, sub_truth, kinds, obfuscated_only=True),
        ),
        (
            "phonenumbers+regex",
            len(sub) / base_s,
            score(base, sub_truth, kinds),
            score(base, sub_truth, kinds, obfuscated_only=True),
        ),
    ]
    print(f"\nscored on {len(sub)} ads (single process, one core)")
    header = f"{'extractor':20s} {'texts/s':>9s}" + "".join(
        f" {k[:5] + ' P':>8s} {k[:5] + ' R':>8s} {k[:5] + ' R-obf':>11s}" for k in kinds
    )
    print(header)
    print("-" * len(header))
    for name, rate, allp, obf in rows:
        cells = "".join(f" {allp[k][0]:8.3f} {allp[k][1]:8.3f} {obf[k][1]:11.3f}" for k in kinds)
        print(f"{name:20s} {rate:9.0f}{cells}")
    print(f"\nspeed-up: {rows[0][1] / rows[1][1]:.1f}x texts/second")
    labelled_tables(LABELLED)


def labelled_tables(path: Path) -> None:
    """Precision / recall on the labelled set: per kind, per class, per language."""
    cases = load_cases(path)
    scored = score_cases(cases)
    print(
        f"\nlabelled set: {len(cases)} texts, {cases['lang'].nunique()} languages, "
        f"{cases['region'].nunique()} regions ({path.name})"
    )
    for by in ("kind", ["kind", "cls"], ["kind", "lang"]):
        table = summarise(scored, by)
        print()
        print(table[["tp", "fp", "fn", "precision", "recall"]].to_string())


if __name__ == "__main__":
    main()
