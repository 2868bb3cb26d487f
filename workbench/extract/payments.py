"""Payment accounts: Cash App $cashtags, Venmo and PayPal names.

Owns how payment values are written (``cashapp:$name``, ``venmo:name``,
``paypal:name``) and the bare ``$cashtag`` finder; platform keywords ("venmo: x")
are found by `handles`, which calls `payment_value`.
"""

from __future__ import annotations

import functools
import re

from .asciire import ascii_twin
from .identifier import Identifier

PAYMENT_PLATFORMS = ("cashapp", "venmo", "paypal")
# "$usd" and friends are currency, not cashtags.
_NOT_CASHTAGS = frozenset("usd cad aud mxn eur gbp us ca hr hrs hh qv qk ea each".split())
_CASHTAG = re.compile(r"(?<![\w$])\$(?P<name>[A-Za-z][A-Za-z0-9_]{0,19})(?![\w$])")
_CASHTAG_ASCII = ascii_twin(_CASHTAG)
_NAME_OK = {
    "cashapp": re.compile(r"[a-z0-9_]*[a-z][a-z0-9_]*"),
    "venmo": re.compile(r"[a-z0-9_\-]*[a-z][a-z0-9_\-]*"),
    "paypal": re.compile(r"[a-z0-9_.\-]*[a-z][a-z0-9_.\-]*"),
}


@functools.lru_cache(maxsize=65536)
def payment_value(platform: str, name: str) -> str | None:
    """The normalised payment value, or None when ``name`` cannot be an account.

    Examples
    --------
    >>> payment_value("cashapp", "$JadeB22"), payment_value("venmo", "@Jade-22")
    ('cashapp:$jadeb22', 'venmo:jade-22')
    >>> payment_value("cashapp", "$150") is None
    True
    """
    name = name.strip().lstrip("@$").rstrip(".-_").lower()
    pattern = _NAME_OK.get(platform)
    if pattern is None or not 1 <= len(name) <= 30 or not pattern.fullmatch(name):
        return None
    if platform == "cashapp":
        if len(name) > 20 or name in _NOT_CASHTAGS:
            return None
        return f"cashapp:${name}"
    return f"{platform}:{name}"


def find_cashtags(text: str) -> list[Identifier]:
    """Cash App ``$cashtags`` (a '$' then a name starting with a letter; "$150" is a price).

    Examples
    --------
    >>> [p.value for p in find_cashtags("deposit $JadeB22 first, $150/hr")]
    ['cashapp:$jadeb22']
    """
    found: list[Identifier] = []
    if "$" not in text:
        return found
    seen: dict[str, str | None] = {}
    for m in (_CASHTAG_ASCII if text.isascii() else _CASHTAG).finditer(text):
        name = m.group("name")
        if name in seen:
            continue  # the first occurrence stands for all (pathological repeats stay cheap)
        value = seen[name] = payment_value("cashapp", name)
        if value:
            found.append(
                Identifier("payment", value, m.group(), m.start(), m.end(), "cashtag", 0.85)
            )
    return found
