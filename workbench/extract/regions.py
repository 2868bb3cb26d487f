"""The region (ISO country) each account's national-format phone numbers are read in.

Owns the evidence and its order: a ``country`` / ``region`` column, the ``city``
(`gazetteer`), coordinates (nearest known city), then cues in the text: currency
signs and words, scripts and language, city names, the platform's country domain.
The run's region is the fallback. A cue that fits several countries (the euro,
"pesos", Spanish) only chooses among the candidates of other evidence; alone it
never moves an account away from the run's region.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
import phonenumbers

from .gazetteer import CITY_COUNTRIES, CITY_POINTS, COUNTRY_NAMES, city_countries, fold

logger = logging.getLogger(__name__)

try:  # pandas' own dependency; without it the text cues run through Python's re
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:  # pragma: no cover
    pa = pc = None

SUPPORTED = frozenset(phonenumbers.SUPPORTED_REGIONS)
# Cues in the text that name one country, strongest first (RE2 and Python syntax both).
TEXT_CUES: tuple[tuple[str, str, str], ...] = (
    ("GB", "currency", r"£|\bGBP\b|\bquid\b"),
    ("BR", "currency", r"R\$|\b(?:reais|BRL)\b"),
    ("TH", "currency", r"฿|\b(?:baht|THB)\b|บาท"),
    ("PH", "currency", r"₱|\bPHP\s?\d"),
    ("IL", "currency", r"₪|\b(?:shekels?|NIS|ILS)\b"),
    ("IN", "currency", r"₹|\b(?:INR|rupees?)\b|\bRs\.?\s?\d"),
    ("NZ", "currency", r"\bNZ\$|\bNZD\b"),
    ("AU", "currency", r"\bAU?\$|\bAUD\b"),
    ("CA", "currency", r"\bC\$|\bCAD\b"),
    ("MX", "currency", r"\bMX\$|\bMXN\b"),
    ("CO", "currency", r"\bCOP\s?\$?\d|\d\s?COP\b"),
    ("AR", "currency", r"\bAR\$|\bARS\b"),
    ("TH", "script", r"[\x{0E00}-\x{0E7F}]"),
    ("IL", "script", r"[\x{0590}-\x{05FF}]"),
    (
        "BR",
        "language",
        r"(?i)\b(?:chama no zap|zap|atendo|beijos|beijinhos|gostosa|loira|acompanhante|"
        r"local pr[óo]prio)\b|(?i)\bvoc[êe]|(?i)\bcach[êe]",
    ),
    (
        "PH",
        "language",
        r"(?i)\b(?:po lang|lang po|salamat|pinay|naman|kayo|mga|txt lng|pm lng|"
        r"pwede|ako|sa fb)\b",
    ),
    (
        "DE",
        "language",
        r"(?i)\b(?:und|nicht|ich bin|besuchbar|hausbesuche|hotelbesuche|zärtlich)\b",
    ),
    ("FR", "language", r"(?i)\b(?:je suis|nouvelle|appelle[sz]?|bisous|rencontre|coquine)\b"),
)
# Cues that fit several countries: they choose among other evidence only.
SHARED_CUES: tuple[tuple[frozenset, str], ...] = (
    (frozenset("ES DE FR IT NL PT IE".split()), r"€|\beuros?\b|\bEUR\b"),
    (frozenset("MX CO AR PH CL DO".split()), r"(?i)\bpesos?\b"),
    (
        frozenset("MX ES CO AR CL PE US DO".split()),
        r"(?i)\b(?:hola|llámame|llamame|escríbeme|servicio|chica|cariñosa|besos|solo|nueva|horas)\b",
    ),
)
# Country domains of platforms ("badoo.com.br", "locanto.co.uk").
_TLDS = {
    "uk": "GB",
    "br": "BR",
    "mx": "MX",
    "es": "ES",
    "th": "TH",
    "ph": "PH",
    "il": "IL",
    "nz": "NZ",
    "au": "AU",
    "in": "IN",
    "de": "DE",
    "fr": "FR",
    "ar": "AR",
    "ca": "CA",
    "cl": "CL",
    "pe": "PE",
    "it": "IT",
    "nl": "NL",
    "pt": "PT",
    "ie": "IE",
    "sg": "SG",
}
_TLD = re.compile(r"\.([a-z]{2})(?:/|$)")
# Nearest known city within this many kilometres names the country of coordinates.
MAX_KM = 300.0
# City names also written in ordinary text ("nice", "reading"): not looked for in texts.
_WORDLIKE = frozenset(
    "nice reading natal santos salvador victoria reims rio nana cali df bh kl sampa gta poa qc bgc "
    "angeles lima goa cork faro porto palma granada mendoza leon la plata merida columbus richmond "
    "providence buffalo long beach santiago bs as d.c. indy pasay welly brum essen bremen natal "
    "hamilton nelson napier".split()
)
# Short forms (abbreviations, nicknames) are read in a city column only.
_SHORT = frozenset(
    "chch akl tlv gdl mty bcn bkk ldn mcr atx slc okc stl atl nyc phx dfw abq yyc mtl nola caba".split()
)
_TEXT_CITIES: dict[str, list[str]] = {}  # country -> names that name it alone
_MENTIONS: dict[str, list[str]] = {}  # country -> names that may name it (also shared ones)
for _name, _countries in CITY_COUNTRIES.items():
    if len(_name) < 4 or _name in _WORDLIKE or _name in _SHORT or not _name.isascii():
        continue
    for _country in _countries:
        _MENTIONS.setdefault(_country, []).append(_name)
    if len(_countries) == 1 and len(_name) >= 5:
        _TEXT_CITIES.setdefault(_countries[0], []).append(_name)


def _city_pattern(names) -> str:
    return (
        r"(?i)\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b"
    )


_ANY_CUE = "|".join(
    [f"(?:{p})" for _c, _w, p in TEXT_CUES]
    + [f"(?:{p})" for _c, p in SHARED_CUES]
    + [f"(?:{_city_pattern(n for names in _TEXT_CITIES.values() for n in names)})"]
)
_ANY_MENTION = _city_pattern(sorted({n for names in _MENTIONS.values() for n in names}))
_ANY_TEXT_CITY = _city_pattern(sorted({n for names in _TEXT_CITIES.values() for n in names}))


def country_of(value) -> str | None:
    """An ISO region from a country or region cell ("gb", "United Kingdom", "Brasil").

    Examples
    --------
    >>> country_of("gb"), country_of("United Kingdom"), country_of("Brasil"), country_of("Atlantis")
    ('GB', 'GB', 'BR', None)
    """
    if not isinstance(value, str) or not value.strip():
        return None
    upper = value.strip().upper()
    if upper == "UK":
        return "GB"
    if upper in SUPPORTED:
        return upper
    return COUNTRY_NAMES.get(fold(value)) or COUNTRY_NAMES.get(value.strip().lower())


def _search(texts: pd.Series, pattern: str) -> np.ndarray:
    """``texts.str.contains(pattern)``: RE2 over the whole column when pyarrow is there."""
    if pa is not None:
        try:
            column = pa.array(texts.array, type=pa.large_string())
            return (
                pc.match_substring_regex(column, pattern)
                .to_numpy(zero_copy_only=False)
                .astype(bool)
            )
        except (TypeError, ValueError, UnicodeError, pa.ArrowException):
            pass
    python = re.sub(r"\\x\{([0-9A-Fa-f]{4})\}", r"\\u\1", pattern).replace("(?i)", "")
    flags = re.IGNORECASE if "(?i)" in pattern else 0
    return texts.str.contains(python, regex=True, flags=flags).fillna(False).to_numpy(dtype=bool)


def _nearest(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Country of the nearest gazetteer city within MAX_KM of each point, else None."""
    countries = np.array([c for c, _a, _b in CITY_POINTS], dtype=object)
    plat = np.radians([a for _c, a, _b in CITY_POINTS])
    plon = np.radians([b for _c, _a, b in CITY_POINTS])
    out = np.full(len(lat), None, dtype=object)
    for start in range(0, len(lat), 4096):  # bounded memory: 4096 x cities at a time
        la = np.radians(lat[start : start + 4096])[:, None]
        lo = np.radians(lon[start : start + 4096])[:, None]
        h = np.sin((plat - la) / 2) ** 2 + np.cos(la) * np.cos(plat) * np.sin((plon - lo) / 2) ** 2
        km = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
        best = km.argmin(axis=1)
        near = km[np.arange(len(best)), best] <= MAX_KM
        out[start : start + 4096] = np.where(near, countries[best], None)
    return out


def infer_regions(accounts: pd.DataFrame, region: str = "US") -> pd.DataFrame:
    """``region``, ``region_source`` and ``region_also`` for each account (positional).

    ``region_also`` holds other plausible regions (';'-joined): see `_also`.

    Parameters
    ----------
    accounts : pandas.DataFrame
        Any of ``country``, ``region``, ``city``, ``lat``/``lon``, ``text``, ``title``,
        ``platform`` is read; missing columns are skipped.
    region : str
        The run's region: where no evidence decides.

    Examples
    --------
    >>> accounts = pd.DataFrame({"city": ["Houston TX", "London", None, None, "Cordoba"],
    ...     "text": ["", "", "1500 baht", "100€ la hora", "150€"]})
    >>> infer_regions(accounts)[["region", "region_source"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['US', 'city'], ['GB', 'city'], ['TH', 'currency'], ['US', 'default'], ['ES', 'city, currency']]
    """
    n = len(accounts)
    found = np.full(n, None, dtype=object)
    source = np.full(n, "default", dtype=object)
    candidates: dict[int, list[str]] = {}  # ambiguous evidence so far, per row position

    def settle(mask: np.ndarray, values: np.ndarray, why: str) -> None:
        take = mask & pd.isna(found) & pd.notna(values)
        found[take] = values[take]
        source[take] = why

    for column, why in (("country", "country column"), ("region", "region column")):
        if column in accounts.columns:
            cells = accounts[column]
            mapped = cells.map({v: country_of(v) for v in cells.dropna().unique()}).to_numpy(
                dtype=object
            )
            settle(np.ones(n, dtype=bool), mapped, why)
    if "city" in accounts.columns:
        cells = accounts["city"]
        lookup = {v: city_countries(v)[0] for v in cells.dropna().unique() if isinstance(v, str)}
        lists = cells.map(lookup).to_numpy(dtype=object)
        single = np.array(
            [c[0] if isinstance(c, list) and len(c) == 1 else None for c in lists], dtype=object
        )
        settle(np.ones(n, dtype=bool), single, "city")
        for k in np.flatnonzero(pd.isna(found)):
            if isinstance(lists[k], list) and len(lists[k]) > 1:
                candidates[int(k)] = lists[k]
    if "lat" in accounts.columns and "lon" in accounts.columns:
        lat = pd.to_numeric(accounts["lat"], errors="coerce").to_numpy(dtype=float)
        lon = pd.to_numeric(accounts["lon"], errors="coerce").to_numpy(dtype=float)
        todo = np.flatnonzero(pd.isna(found) & ~np.isnan(lat) & ~np.isnan(lon))
        if len(todo):
            near = np.full(n, None, dtype=object)
            near[todo] = _nearest(lat[todo], lon[todo])
            settle(np.ones(n, dtype=bool), near, "coordinates")
    _text_evidence(accounts, found, source, candidates, region)
    undecided = pd.isna(found)
    found[undecided] = region
    also = _also(accounts, candidates)
    return pd.DataFrame({"region": found, "region_source": source, "region_also": also})


def _also(accounts: pd.DataFrame, candidates: dict[int, list[str]]) -> np.ndarray:
    """Other regions an account's evidence makes plausible (the other countries of an
    ambiguous city, cities its text names), ';'-joined: national numbers that are valid
    in none of its region and the run's are read in these too."""
    also = np.full(len(accounts), "", dtype=object)
    for row, countries in candidates.items():
        also[row] = ";".join(countries)
    texts = _texts(accounts)
    if texts is None or not len(texts):
        return also
    named = _first_name(texts, _ANY_MENTION)
    for row in np.flatnonzero(pd.notna(named)):  # bounded by the accounts whose text names a city
        countries = ";".join(CITY_COUNTRIES.get(fold(named[row]), ()))
        if countries:
            also[row] = f"{also[row]};{countries}" if also[row] else countries
    return also


def _first_name(texts: pd.Series, pattern: str) -> np.ndarray:
    """The first match of ``pattern`` (a `_city_pattern`) in each text, or None: one pass."""
    capture = pattern.replace("(?i)\\b(?:", "(?i)\\b(?P<name>", 1)
    if pa is not None:
        try:
            column = pa.array(texts.array, type=pa.large_string())
            found = pc.extract_regex(column, capture)
            if isinstance(found, pa.ChunkedArray):  # a large column comes back in chunks
                found = found.combine_chunks()
            names = found.field("name").to_pylist()
            valid = found.is_valid().to_pylist()
            return np.array(
                [n if ok and n else None for n, ok in zip(names, valid, strict=True)], dtype=object
            )
        except (TypeError, ValueError, UnicodeError, KeyError, pa.ArrowException):
            pass
    python = capture.replace("(?i)", "")
    found = texts.str.extract(python, flags=re.IGNORECASE, expand=False)
    return np.array([n if isinstance(n, str) and n else None for n in found], dtype=object)


def _texts(accounts: pd.DataFrame) -> pd.Series | None:
    parts = [accounts[c].fillna("").astype(str) for c in ("title", "text") if c in accounts.columns]
    if not parts:
        return None
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + " \n " + part
    return joined.reset_index(drop=True)


def _text_evidence(
    accounts: pd.DataFrame,
    found: np.ndarray,
    source: np.ndarray,
    candidates: dict[int, list[str]],
    region: str,
) -> None:
    """Settle undecided accounts (and ambiguous cities) from cues in their texts and platform."""
    todo = np.flatnonzero(pd.isna(found))
    if not len(todo):
        return
    texts = _texts(accounts.iloc[todo])
    if texts is not None:
        # One pass for all cues first: most texts hold none, and only those that do are
        # searched cue by cue (and only those, or ambiguous cities, looked at below).
        keep = _search(texts, _ANY_CUE) | np.isin(todo, list(candidates))
        if "platform" in accounts.columns:
            keep |= (
                accounts["platform"]
                .iloc[todo]
                .fillna("")
                .astype(str)
                .str.contains(r"\.[A-Za-z]{2}(?:/|$)")
                .to_numpy()
            )
        todo, texts = todo[keep], texts[keep].reset_index(drop=True)
        if not len(todo):
            return
    cues: list[tuple[np.ndarray, str, str]] = []  # (hit per todo row, country, why)
    if texts is not None:
        for country, why, pattern in TEXT_CUES:
            cues.append((_search(texts, pattern), country, why))
        named = _first_name(texts, _ANY_TEXT_CITY)
        city_country = np.array(
            [CITY_COUNTRIES[fold(n)][0] if isinstance(n, str) else None for n in named],
            dtype=object,
        )
        for country in sorted({c for c in city_country if c is not None}):
            cues.append((city_country == country, country, "city in text"))
    if "platform" in accounts.columns:
        platforms = accounts["platform"].iloc[todo].fillna("").astype(str).str.lower()
        tld = platforms.str.extract(_TLD, expand=False).map(_TLDS).to_numpy(dtype=object)
        for country in set(t for t in tld if isinstance(t, str)):
            cues.append((tld == country, country, "platform domain"))
    shared = (
        [(_search(texts, pattern), countries) for countries, pattern in SHARED_CUES]
        if texts is not None
        else []
    )
    # A loop over the undecided accounts that hold a cue at all (bounded by the cue hits).
    any_hit = np.zeros(len(todo), dtype=bool)
    for hit, _c, _w in cues:
        any_hit |= hit
    for hit, _c in shared:
        any_hit |= hit
    for k in np.flatnonzero(any_hit | np.isin(todo, list(candidates))):
        row = int(todo[k])
        named = [(country, why) for hit, country, why in cues if hit[k]]
        sets = [countries for hit, countries in shared if hit[k]]
        city = candidates.get(row)
        if city:  # an ambiguous city: the first other evidence that picks one of its countries
            pick = next(((c, why) for c, why in named if c in city), None)
            if pick is None:
                both = [c for c in city if all(c in s for s in sets)] if sets else []
                pick = (both[0], "currency" if sets else "") if both else None
            if pick is not None:
                found[row], source[row] = pick[0], "city, " + (pick[1] or "text")
            else:
                found[row] = region if region in city else city[0]
                source[row] = "city"
            continue
        if named:
            found[row], source[row] = named[0]
