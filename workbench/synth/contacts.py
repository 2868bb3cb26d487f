"""Emails, social handles and payment tags of the synthetic world, and how ads write them.

Values are invented from the name list plus random suffixes, on generic mail
domains. Each renderer returns the text as an ad would show it, and the
contract's normalised value is kept by the caller.
"""

from __future__ import annotations

import numpy as np

HANDLE_PLATFORMS = ("instagram", "snapchat", "kik", "telegram", "twitter", "onlyfans")
_WORDS = (
    "baby",
    "xo",
    "luv",
    "doll",
    "sweet",
    "bae",
    "vip",
    "real",
    "official",
    "queen",
    "kitty",
    "honey",
    "b",
    "x",
    "ts",
    "the",
)


def make_usernames(rng: np.random.Generator, names: list[str], taken: set[str]) -> list[str]:
    """One new username per name, unique against `taken` (updated in place).

    >>> u = make_usernames(np.random.default_rng(0), ["Jade", "Jade"], set())
    >>> len(set(u)), u[0].startswith("jade") or u[0].endswith("jade") or "jade" in u[0]
    (2, True)
    """
    n = len(names)
    forms = rng.integers(0, 6, n)
    words = rng.integers(0, len(_WORDS), n)
    nums = rng.integers(1, 100, n)
    seps = rng.integers(0, 3, n)
    extra = rng.integers(0, 36**3, n)
    out = []
    # a bounded loop over identities (not rows), with a uniqueness check
    for name, f, w, k, s, x in zip(
        names,
        forms.tolist(),
        words.tolist(),
        nums.tolist(),
        seps.tolist(),
        extra.tolist(),
        strict=True,
    ):
        base = name.lower()
        sep = ("_", ".", "")[s]
        cand = (
            f"{base}{sep}{k}",
            f"{_WORDS[w]}{sep}{base}{k}",
            f"{base}{sep}{_WORDS[w]}",
            f"its{sep}{base}{k}",
            f"{base}{k}{_WORDS[w]}",
            f"{base}{sep}{_WORDS[w]}{k}",
        )[f]
        while cand in taken:
            cand = f"{cand}{np.base_repr(x, 36).lower()}"
            x = x // 7 + 13
        taken.add(cand)
        out.append(cand)
    return out


EMAIL_STYLES = (
    "plain",
    "plain",
    "at_dot",
    "bracket",
    "paren",
    "spaced",
    "caps",
    "curly",
    "dot_word",
)


def render_email(local: str, domain: str, style: str) -> str:
    """Write an email the way an ad hides it.

    >>> render_email("jade22", "gmail.com", "at_dot")
    'jade22 at gmail dot com'
    """
    host, _, tld = domain.rpartition(".")
    if style == "plain":
        return f"{local}@{domain}"
    if style == "at_dot":
        return f"{local} at {host} dot {tld}"
    if style == "bracket":
        return f"{local}[at]{host}[dot]{tld}"
    if style == "paren":
        return f"{local}(at){host}(.){tld}"
    if style == "spaced":
        return f"{local} @ {host} . {tld}"
    if style == "caps":
        return f"{local} AT {host} DOT {tld}"
    if style == "curly":
        return f"{local}{{at}}{host}{{dot}}{tld}"
    if style == "dot_word":
        return f"{local}@{host} dot {tld}"
    raise ValueError(style)


_HANDLE_FORMS = {
    "instagram": (
        "IG: {u}",
        "IG @{u}",
        "insta @{u}",
        "instagram.com/{u}",
        "follow me on IG {u}",
        "📸 {u}",
        "Insta- {u}",
    ),
    "snapchat": ("sc- {u}", "SC: {u}", "snap: {u}", "👻 {u}", "add my snap {u}", "snapchat @{u}"),
    "kik": ("kik: {u}", "KIK {u}", "kik me @{u}"),
    "telegram": ("telegram @{u}", "tg: {u}", "t.me/{u}", "TG @{u}"),
    "twitter": ("twitter @{u}", "X: @{u}", "twitter.com/{u}"),
    "onlyfans": ("onlyfans.com/{u}", "OF: {u}", "my OF {u}"),
}


def render_handle(user: str, platform: str, r: int) -> str:
    """Write a handle as an ad does ('IG: jade_22', 'sc- jade22', ...).

    >>> render_handle("jade_22", "instagram", 0)
    'IG: jade_22'
    """
    forms = _HANDLE_FORMS[platform]
    return forms[r % len(forms)].format(u=user)


_CASHAPP_FORMS = (
    "cashapp ${u}",
    "${u} on cash app",
    "CA: ${u}",
    "deposit via cashapp ${u}",
    "💵 ${u}",
    "Cash App- ${u}",
)


def render_cashapp(tag: str, r: int) -> str:
    """Write a Cash App tag.

    >>> render_cashapp("JadeB22", 0)
    'cashapp $JadeB22'
    """
    return _CASHAPP_FORMS[r % len(_CASHAPP_FORMS)].format(u=tag)
