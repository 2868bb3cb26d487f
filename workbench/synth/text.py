"""Ad text of the synthetic world: a large sentence pool, operator templates, prices and traps.

Independents write from the pool with random choices; operators reuse a few
templates with slots ({name}, {age}, {city}, {price}, {contact}, {emoji}).
Number-like traps (rates, measurements, hours, zip codes, post ids) are mixed in.
"""

from __future__ import annotations

import numpy as np

from workbench.synth import vocab as V

ACTIVITIES = (
    "good food",
    "long walks",
    "wine",
    "dancing",
    "movies",
    "the beach",
    "late night talks",
    "massages",
    "cuddling",
    "travel",
    "shopping",
    "music",
    "gym",
    "karaoke",
    "games",
    "tacos",
    "sushi",
    "road trips",
    "jazz",
    "comedy",
    "poetry",
    "art",
    "football",
    "hiking",
    "sunsets",
)


_SELF_A = ("I am", "Im", "I'm just", "Just", "I'm")


def sentence_pool(rng: np.random.Generator, size: int) -> list[str]:
    """`size` distinct-ish generic sentences drawn from the grammar in `vocab`.

    >>> len(sentence_pool(np.random.default_rng(0), 50))
    50
    """
    kind = rng.integers(0, 6, size)
    a = rng.integers(0, 10**9, (size, 4))
    out = []
    for k, (x, y, z, w) in zip(
        kind.tolist(), a.tolist(), strict=True
    ):  # bounded: pool size, not rows
        adj, adj2 = V.ADJ[x % len(V.ADJ)], V.ADJ[y % len(V.ADJ)]
        noun, verb = V.NOUN[z % len(V.NOUN)], V.VERB[w % len(V.VERB)]
        act = ACTIVITIES[(x // 7) % len(ACTIVITIES)]
        if k == 0:
            s = f"{_SELF_A[y % len(_SELF_A)]} a {adj} {noun} {verb}."
        elif k == 1:
            s = f"{adj.capitalize()} and {adj2}, {verb}."
        elif k == 2:
            s = f"Looking for a {adj} gentleman who likes {act}."
        elif k == 3:
            s = f"I love {act} and {ACTIVITIES[(w // 11) % len(ACTIVITIES)]}, {verb}."
        elif k == 4:
            s = f"Your {adj} {noun} is {verb}!"
        else:
            s = f"{V.EXTRA[x % len(V.EXTRA)]} {V.EXTRA[y % len(V.EXTRA)]}"
        out.append(s)
    return out


_HEADLINES = (
    "{emoji} {name} {age} {emoji} NEW in {city}",
    "Hey guys it's {name}! {age}yo, visiting {city} {emoji}",
    "{emoji}{emoji} {NAME} ~ {age} ~ {city} {emoji}{emoji}",
    "{name} here, {age}, {city} for a few days {emoji}",
    "*** {NAME} *** {city} *** {emoji}",
    "{emoji} Sweet {name} ({age}) in {city}",
    "Hola! Soy {name}, {age} años, en {city} {emoji}",
    "{city}!! {name} is back {emoji} {age}",
)
_CONTACT_LINES = (
    "{contact}",
    "Call/text: {contact}",
    "HMU {contact}",
    "📱 {contact}",
    "txt me {contact} {emoji}",
    "{contact} (text only)",
    "Reach me: {contact}",
    "Contacto: {contact}",
)
_RATE_LINES = (
    "{price}",
    "Rates: {price}",
    "{emoji} {price} {emoji}",
    "Donations {price}",
    "Specials: {price}",
)


def make_template(
    rng: np.random.Generator, pool: list[str], closer_emoji: bool = True
) -> list[str]:
    """The lines of one operator template, with slots; the body sentences are fixed per template."""
    head = _HEADLINES[rng.integers(len(_HEADLINES))]
    body = [pool[i] for i in rng.integers(0, len(pool), int(rng.integers(2, 5)))]
    extra = V.EXTRA[rng.integers(len(V.EXTRA))]
    rate = _RATE_LINES[rng.integers(len(_RATE_LINES))]
    contact = _CONTACT_LINES[rng.integers(len(_CONTACT_LINES))]
    closer = V.CLOSERS[rng.integers(len(V.CLOSERS))] + (" {emoji}" if closer_emoji else "")
    agency = [V.AGENCY[rng.integers(len(V.AGENCY))]] if rng.random() < 0.3 else []
    return [head, *body, *agency, extra, rate, contact, closer]


def similar_template(rng: np.random.Generator, lines: list[str], pool: list[str]) -> list[str]:
    """A different operator's template in a near style: one body line swapped, another headline."""
    out = list(lines)
    out[0] = _HEADLINES[rng.integers(len(_HEADLINES))]
    i = int(rng.integers(1, max(2, len(out) - 3)))
    out[i] = pool[rng.integers(len(pool))]
    return out


def template_variants(lines: list[str], rng: np.random.Generator, n: int = 4) -> list[str]:
    """`n` format strings for one template: whole, one body line dropped, reordered, one-line."""
    out = ["\n".join(lines)]
    for _ in range(n - 1):
        k = int(rng.integers(0, 3))
        ls = list(lines)
        if k == 0 and len(ls) > 5:
            del ls[int(rng.integers(1, len(ls) - 3))]
        elif k == 1 and len(ls) > 5:
            ls[1], ls[2] = ls[2], ls[1]
        out.append((" " if k == 2 else "\n").join(ls))
    return out


_PRICE_FORMS = (
    lambda qv, hh, h: f"{hh}/hh {h}/h",
    lambda qv, hh, h: f"${hh} hh | ${h} hr",
    lambda qv, hh, h: f"Roses: {qv}qv {hh}hh {h}h",
    lambda qv, hh, h: f"{hh} half {h} full",
    lambda qv, hh, h: f"{hh}-{h}",
    lambda qv, hh, h: f"{qv}/{hh}/{h}",
    lambda qv, hh, h: f"hh {hh} 💋 h {h}",
    lambda qv, hh, h: f"{h}/hr",
    lambda qv, hh, h: f"${h}/hr no negotiating",
    lambda qv, hh, h: f"qv {qv} hh {hh} hr {h} 2hr {2 * h - 40}",
    lambda qv, hh, h: f"{qv}{hh}{h} specials",
    lambda qv, hh, h: f"{hh} roses for 30 min",
)


def price_text(base: tuple[int, int, int], form: int) -> str:
    """Rates written one of many ways: all traps for a phone extractor.

    >>> price_text((80, 150, 250), 0)
    '150/hh 250/h'
    """
    return _PRICE_FORMS[form % len(_PRICE_FORMS)](*base)


_TRAPS = (
    lambda a, b, r: f"{32 + a % 6}-{22 + a % 5}-{34 + a % 6}",
    lambda a, b, r: f"{32 + a % 6}D-{24 + a % 4}-{36 + a % 4}",
    lambda a, b, r: f"5'{a % 9 + 1} {100 + b}lbs",
    lambda a, b, r: f"call 2day {8 + a % 4}am-{9 + a % 3}pm",
    lambda a, b, r: f"avail {9 + a % 3}am - {10 + a % 2}pm",
    lambda a, b, r: "24/7",
    lambda a, b, r: f"near {77000 + b * 13 + a}",
    lambda a, b, r: f"zip {90000 + b * 7 + a}",
    lambda a, b, r: f"{1 + a % 12}/{1 + b % 28}/2024",
    lambda a, b, r: f"room {1000 + b * 3}",
    lambda a, b, r: f"exit {a + 3} off I-{10 + b % 80}",
    lambda a, b, r: f"Post ID {48213377 + r % 9973}",
    lambda a, b, r: f"ref #{2024031000 + r % 99991}",
    lambda a, b, r: f"2 girl special {300 + a * 10}",
    lambda a, b, r: f"1hr {200 + a * 5} 2hr {380 + a * 5}",
    lambda a, b, r: f"${1000 + b * 10} overnight",
    lambda a, b, r: f"{18 + a % 8}yo",
    lambda a, b, r: "text 10 mins b4",
    lambda a, b, r: f"call after {8 + a % 4} pm",
    lambda a, b, r: f"{100 + a * 5}*{150 + b}*{250 + a}",
    lambda a, b, r: f"Hwy {100 + b * 2}",
    lambda a, b, r: f"since {2015 + a % 9}",
    lambda a, b, r: f"age {19 + a % 6} 5'{2 + a % 7} 34C",
    lambda a, b, r: f"{b % 12 + 1}:{a % 6}0pm-{a % 5 + 1}am",
)


def trap_text(r: int) -> str:
    """A number-like phrase that is not a phone, chosen by the random integer `r`.

    >>> trap_text(0)
    '32-22-34'
    """
    return _TRAPS[r % len(_TRAPS)](r % 17, (r >> 5) % 97, r)


def independent_text(
    name: str, city: str, pool: list[str], picks: list[int], r: int, contact: str, price: str
) -> str:
    """An independent's ad: an opener, a few pool sentences, maybe Spanish, rates and contact."""
    opener = V.OPENERS[r % len(V.OPENERS)]
    self_ = V.SELF[(r >> 5) % len(V.SELF)]
    parts = [f"{opener}, {self_} {name} in {city}." if (r >> 9) % 3 else f"{opener}! {name} here."]
    parts.extend(pool[i] for i in picks)
    if (r >> 11) % 7 == 0:
        parts.append(V.SPANISH[(r >> 14) % len(V.SPANISH)])
    if price:
        parts.append(price)
    if contact:
        parts.append(contact)
    if (r >> 17) % 2:
        parts.append(V.CLOSERS[(r >> 19) % len(V.CLOSERS)])
    sep = ("\n", " ", " ", "\n\n", " ~ ")[(r >> 23) % 5]
    return sep.join(parts)


_TITLES = (
    lambda nm, a, c, x, y: f"{x} {nm} {y}",
    lambda nm, a, c, x, y: f"{nm} {a} - {c}",
    lambda nm, a, c, x, y: f"{x} {y} {c}",
    lambda nm, a, c, x, y: f"{nm.upper()} {y.upper()}!!",
    lambda nm, a, c, x, y: f"{x} {nm}, {a}",
    lambda nm, a, c, x, y: f"{c} {x} {y}",
)


def title_text(name: str, age: int, city: str, r: int, form: int) -> str:
    """A short ad title in one of several forms.

    >>> title_text("Jade", 22, "Houston", 0, 1)
    'Jade 22 - Houston'
    """
    x = V.TITLE_PARTS_A[r % len(V.TITLE_PARTS_A)]
    y = V.TITLE_PARTS_B[(r >> 5) % len(V.TITLE_PARTS_B)]
    return _TITLES[form % len(_TITLES)](name, age, city, x, y)
