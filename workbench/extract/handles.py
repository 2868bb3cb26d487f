"""Social handles ("IG: jade_22", "👻 jadexo", "t.me/jade"), bare @names and URLs.

Owns platform keywords and their aliases, profile-URL patterns and URL
normalisation. Payment platforms found the same way are handed to `payments`.
"""

from __future__ import annotations

import functools
import re

from .asciire import ascii_twin
from .identifier import Identifier, Spans
from .normalise import FOLD_SPECIAL, _trie
from .payments import PAYMENT_PLATFORMS, payment_value

ALIASES: dict[str, str] = {
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "instagr.am": "instagram",
    "📸": "instagram",
    "📷": "instagram",
    "snapchat": "snapchat",
    "snap": "snapchat",
    "sc": "snapchat",
    "👻": "snapchat",
    "telegram": "telegram",
    "tele": "telegram",
    "tg": "telegram",
    "whatsapp": "whatsapp",
    "whats app": "whatsapp",
    "whatsap": "whatsapp",
    "watsapp": "whatsapp",
    "wa": "whatsapp",
    "kik": "kik",
    "twitter": "twitter",
    "x": "twitter",
    "tw": "twitter",
    "onlyfans": "onlyfans",
    "only fans": "onlyfans",
    "of": "onlyfans",
    "tiktok": "tiktok",
    "tik tok": "tiktok",
    "tt": "tiktok",
    "fansly": "fansly",
    "cashapp": "cashapp",
    "cash app": "cashapp",
    "cash.app": "cashapp",
    "venmo": "venmo",
    "paypal": "paypal",
    "pay pal": "paypal",
    "snap chat": "snapchat",
    "insta gram": "instagram",
    "wechat": "wechat",
    "we chat": "wechat",
    "wechat id": "wechat",
    "weixin": "wechat",
    "微信": "wechat",
    "微信号": "wechat",
    "微信id": "wechat",
    "vx": "wechat",
    "wx": "wechat",
    "line": "line",
    "line id": "line",
    "lineid": "line",
    "line app": "line",
    "ไลน์": "line",
    "ไลน์ไอดี": "line",
    "ไอดีไลน์": "line",
    "facebook": "facebook",
    "fb": "facebook",
    "face book": "facebook",
    "messenger": "facebook",
    "signal": "signal",
    "signal app": "signal",
    "tiktok id": "tiktok",
    "kik id": "kik",
    "snap id": "snapchat",
    "telegram id": "telegram",
    "ig id": "instagram",
    "twitter x": "twitter",
    "x/twitter": "twitter",
}
# Platforms whose alias is the platform's own name (what a value is prefixed with).
PLATFORMS = tuple(sorted(set(ALIASES.values())))
# Aliases that are ordinary words too: only in capitals or before ':' / '@' / '-'.
_RISKY = {"x", "of", "tw", "tt", "wa", "sc", "tele", "line", "signal", "vx", "wx", "messenger"}
_STOPWORDS = frozenset(
    "me my on at is the and or for to add dm follow only us here now too also with via handle "
    "name user username id account page plz pls please ok hmu info link bio below above same "
    "both text call only it and msg message snap ig kik insta up you your i im it's its this "
    "that just a an be available avail or in from new tg sc of x pics pic videos video vids "
    "premium story stories chat content sessions verified friendly fun free sexy hot girl "
    "girls more only fans private first".split()
)
# Ordinary words that follow a platform name in running text ("whatsapp area", "cash app see
# you"): without an explicit ':' '@' '$' they are read as words, not names.
_COMMON = _STOPWORDS | frozenset(
    "see luv love hugs kisses xoxo area looking look around near town city today tonight later soon "
    "babe baby honey sweet sweetie dear daddy papi guys gents men man gentleman gentlemen welcome "
    "accepted ready open number num contact reach call calls texts texting message messages only "
    "first last best real ask about when where what who how why all any some no not yes can will "
    "would should could get got have has had do does did deposit deposits payment pay tips tip "
    "rates rate price prices donations special specials booking book appointment appt visit visits "
    "incall outcall hotel car hh hr hour hours half full mins min qv night day week weekend morning "
    "evening afternoon upscale discreet discretion safe clean new young fresh nice good great "
    "thanks thank mwah ttyl hugs xo petite curvy thick slim busty exotic ebony latina asian blonde "
    "brunette redhead sexy classy bbw independent".split()
)
# "cash app 1hr", "venmo 2hrs": a rate, not a name.
_RATE = re.compile(r"\d+(?:hrs?|hh|h|mins?|hours?|qv)", re.IGNORECASE)
# A line of its own made of dashes or bars ("cash app\n---\nPosted on ...") divides the
# ad; it is not the ':' of "cash app: name".
_DIVIDER = re.compile(r"\s*\n\s*[-=~_|\u2013\u2014]{2,}\s*\n\s*|\s*[-=~_|\u2013\u2014]{3,}\s*\n\s*")
_END = r"(?![A-Za-z0-9_])"
_KW_ALT = "|".join(re.escape(k) for k in sorted(ALIASES, key=len, reverse=True))
# An icon before a platform word is decoration ("📸 insta: name"), not a platform of its own.
_ICON_ALT = "(?:" + "|".join(k for k in ALIASES if not k[0].isalnum()) + ")"
_WORD_KW_ALT = "|".join(
    re.escape(k) for k in sorted(ALIASES, key=len, reverse=True) if k[0].isalnum()
)
_ICON_CHARS = re.compile(_ICON_ALT)
_ICON_BEFORE = re.compile(_ICON_ALT + r"\ufe0f?\s*\Z")
_KW_FIRST = "".join(sorted({k[0].lower() for k in ALIASES} | {k[0].upper() for k in ALIASES}))
_KEYWORDS = re.compile(
    rf"(?=[{_KW_FIRST}])(?<![\w@$./])(?:{_ICON_ALT}\ufe0f?\s*(?=(?:{_WORD_KW_ALT}){_END}))?(?P<kws>(?:{_KW_ALT}){_END}(?:\s*(?:/|&|\+|,|and|or|n)\s*(?:{_KW_ALT}){_END}){{0,3}})"
    r"(?P<sep>[\U0001F300-\U0001FAFF\u2600-\u27bf\ufe0f]{0,3}\s*(?:[:=\-\u2013\u2014>~|\uff1a]+|\u27a1\ufe0f?|\U0001f449|\u2b07\ufe0f?|\U0001f447)?\s*"
    r"(?:(?:is|me|at|here|=)\s+)?\s*)"
    r"(?P<at>[@$]\s?)?(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]{1,29})",
    re.IGNORECASE,
)
_KW_ONE = re.compile(_KW_ALT, re.IGNORECASE)
_DISPLAY_NAME = re.compile(r"[A-Z][a-z]+ [A-Z][a-z]+\b")
_PROFILE_URL = re.compile(
    r"(?=[hHwWmMiIsStTkKxXoOfFcCvVpPlL])(?<![\w.])(?:https?://)?(?:www\.|m\.)?(?P<host>instagram\.com|instagr\.am|snapchat\.com/add|"
    r"t\.me|telegram\.me|kik\.me|twitter\.com|x\.com|onlyfans\.com|tiktok\.com|fansly\.com|"
    r"facebook\.com|fb\.com|line\.me/(?:R/)?ti/p|"
    r"cash\.app|venmo\.com(?:/u)?|paypal\.me|paypal\.com/paypalme)/(?:~|(?P<at>[@$]))?"
    r"(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]{0,29})",
    re.IGNORECASE,
)
_URL_HOSTS = {
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "snapchat.com/add": "snapchat",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "kik.me": "kik",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "onlyfans.com": "onlyfans",
    "tiktok.com": "tiktok",
    "fansly.com": "fansly",
    "cash.app": "cashapp",
    "venmo.com": "venmo",
    "venmo.com/u": "venmo",
    "paypal.me": "paypal",
    "paypal.com/paypalme": "paypal",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "line.me/ti/p": "line",
    "line.me/r/ti/p": "line",
}
_URL_NOT_NAMES = frozenset(
    "p reel reels explore stories add u share home login signup profile.php groups pages "
    "watch events marketplace ti people".split()
)
_BARE = re.compile(r"@(?<![\w@.$/\\]@)(?P<name>[A-Za-z0-9_][A-Za-z0-9_.]{1,29})(?![\w@])")
_URL_TLDS = (
    "com|net|org|io|me|co|ly|ee|app|xyz|to|tv|am|gg|link|page|site|club|info|biz|us|uk|ca|mx"
)
# A label is followed by a dot, which cannot continue it: it is matched whole, once
# (atomic), not retried shorter at every word of the text.
_WEB_ADDRESS = (
    rf"(?:https?://(?P<h1>[a-z0-9][a-z0-9.\-]{{0,253}})"
    rf"|(?:www\.)?(?P<h2>(?:(?>[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?)\.){{1,4}}(?:{_URL_TLDS}))(?![\w\-]))"
    r"(?P<path>[/?#][^\s<>\"'()\[\]{}]{0,500})?"
)
_URL = re.compile(rf"(?<![\w@.\-/]){_WEB_ADDRESS}", re.IGNORECASE)
# The same after the character before it (see `_after_break`).
_URL_AFTER_BREAK = re.compile(rf"[^\w@.\-/](?P<url>{_WEB_ADDRESS})", re.IGNORECASE)
_KEYWORDS_ASCII, _PROFILE_URL_ASCII = ascii_twin(_KEYWORDS), ascii_twin(_PROFILE_URL)
_URL_PATTERNS = {
    False: (_URL, _URL_AFTER_BREAK),
    True: (ascii_twin(_URL), ascii_twin(_URL_AFTER_BREAK)),
}
# A web address holds "://" or a dot and a top-level domain (the dot first: fast scan).
_TLD_HINT = re.compile(rf"\.(?i:{_URL_TLDS})(?![\w\-])")
PREFILTER = re.compile(rf"[@./]|(?=[{_KW_FIRST}])(?:{_KW_ALT})", re.IGNORECASE)


# Where `_KEYWORDS` could start, found in the text folded to lower case (`_folded`):
# an alias at the start, or after a character that may precede one (matched, not
# looked behind at, so that the regex engine skips from one such character to the
# next in a fast scan). Folding keeps every offset, so these are the text's offsets.
_LOWER_ALIASES = _trie(sorted(ALIASES))
_NAME_CHAR = re.compile(r"[\w@$./]")  # what may not stand before a keyword
_SPECIAL = re.compile("[" + "".join(map(chr, FOLD_SPECIAL)) + "]")
_KEYWORD_AT_START = re.compile(rf"{_LOWER_ALIASES}(?![a-z0-9_])")
_KEYWORD_HINT = re.compile(rf"[^\w@$./](?P<kw>{_LOWER_ALIASES})(?![a-z0-9_])")
_KEYWORD_PATTERNS = {
    False: (_KEYWORD_AT_START, _KEYWORD_HINT, _KEYWORDS),
    True: (ascii_twin(_KEYWORD_AT_START), ascii_twin(_KEYWORD_HINT), _KEYWORDS_ASCII),
}


def _folded(text: str) -> str:
    """Lower case as IGNORECASE reads it, same length: 'İ' would lower to two characters,
    and 'ſ', 'ı', 'K' stand for 's', 'i', 'k' (`normalise.FOLD_SPECIAL`)."""
    if text.isascii() or not _SPECIAL.search(text):
        return text.lower()
    return text.translate(FOLD_SPECIAL).lower()


def _keyword_starts(text: str, at_start: re.Pattern, hint: re.Pattern) -> list[int]:
    """Where a keyword handle can start in ``text`` (the only places `_KEYWORDS` can match)."""
    folded = _folded(text)
    starts = [0] if at_start.match(folded) else []
    for m in hint.finditer(folded):
        starts.append(m.start("kw"))
        end = m.end("kw")
        # An emoji alias may itself precede the next alias ("📷📷"): the match above
        # took it as its own, so the next one is looked for right after it.
        while not _NAME_CHAR.match(folded, end - 1) and (nxt := at_start.match(folded, end)):
            starts.append(end)
            end = nxt.end()
    if _ICON_CHARS.search(text):  # an icon before a word ("📸 insta") starts that keyword's match
        starts += [
            m.start()
            for s in starts
            if (m := _ICON_BEFORE.search(text, max(0, s - 12), s)) is not None
        ]
    return sorted(set(starts)) if len(starts) > 1 else starts


# Every profile URL holds one of these endings right before its '/'.
_PROFILE_HINT = re.compile(r"\.(?:com|am|me|app)/", re.IGNORECASE)


_NAME = re.compile(r"[a-z0-9_][a-z0-9_.\-]*")
_NAME_WITH_LETTER = re.compile(r"[a-z0-9_.\-]*[a-z][a-z0-9_.\-]*")
_MAIL_SUFFIX = re.compile(r"\.(?:com|net|org)$")


@functools.lru_cache(maxsize=65536)
def handle_value(platform: str | None, name: str) -> tuple[str, str] | None:
    """(kind, value) for a name on a platform: ``handle`` or ``payment``; None if not a name.

    Examples
    --------
    >>> handle_value("ig", "@Jade_22."), handle_value("cash app", "$JadeB")
    (('handle', 'instagram:jade_22'), ('payment', 'cashapp:$jadeb'))
    >>> handle_value("snapchat", "me") is None
    True
    """
    plat = ALIASES.get(platform.lower(), platform.lower()) if platform else None
    if plat in PAYMENT_PLATFORMS:
        if name.strip().lstrip("@$").lower() in _STOPWORDS:
            return None
        value = payment_value(plat, name)
        return ("payment", value) if value else None
    name = name.strip().lstrip("@").rstrip(".-_").lower()
    if (
        not 2 <= len(name) <= 30
        or name in _STOPWORDS
        or not _NAME.fullmatch(name)
        or not _NAME_WITH_LETTER.fullmatch(name)
    ):
        return None
    return ("handle", f"{plat}:{name}" if plat else name)


# A "name" after "whatsapp"/"telegram" that is really the start of a spelled-out number.
# Separators may follow a number word or a digit ("four-one-five", "504.46ocho"), not a
# lookalike letter: "isis.99" is a name.
_NUMBERISH = re.compile(
    r"(?:(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|for|fore|won|ate|cero|uno|"
    r"dos|tres|cuatro|cinco|seis|siete|ocho|nueve|[0-9])[-_.]?|[olisbz])+",
    re.IGNORECASE,
)


def find_handles(text: str) -> list[Identifier]:
    """Handles and payment names written after a platform keyword or in a profile URL.

    Examples
    --------
    >>> [h.value for h in find_handles("IG/SC: jade_22 and venmo @jade-b")]
    ['instagram:jade_22', 'snapchat:jade_22', 'venmo:jade-b']
    """
    found: list[Identifier] = []
    # Cheap tests first, each implied by the pattern it guards: a keyword (found where
    # keyword handles can start), a profile host, an '@'.
    ascii = text.isascii()
    at_start, hint, keywords = _KEYWORD_PATTERNS[ascii]
    starts = _keyword_starts(text, at_start, hint)
    if starts:
        found += _keyword_handles(text, _matches_at(keywords, text, starts))
    if _PROFILE_HINT.search(text):
        found += _profile_handles(text, _PROFILE_URL_ASCII if ascii else _PROFILE_URL)
    if "@" in text:
        found += _bare_handles(text, found)
    return found


def _matches_at(pattern: re.Pattern, text: str, starts: list[int]) -> list[re.Match]:
    """``pattern.finditer(text)`` when its matches can only start at ``starts``."""
    found: list[re.Match] = []
    end = 0
    for start in starts:
        if start >= end:
            m = pattern.match(text, start)
            if m is not None:
                found.append(m)
                end = m.end()
    return found


def _keyword_handles(text: str, matches) -> list[Identifier]:
    found: list[Identifier] = []
    for m in matches:
        name, sep, kws = m.group("name"), m.group("sep"), m.group("kws")
        if text[m.end() : m.end() + 1] in ("@", "/"):
            continue  # the local part of an email, or a web address ("whatsapp wa.me/4479...")
        strong = bool(m.group("at")) or any(c in sep for c in ":=@>\uff1a")
        explicit = strong or (any(c in sep for c in "-~|") and not _DIVIDER.fullmatch(sep))
        bare = name.lower()
        if not explicit and (
            "\n" in sep or bare in _COMMON or not (re.search(r"[\d_.]", name) or len(name) >= 6)
        ):
            continue  # "cash app\nsee you", "cash app bye": running text, not a name
        if not strong and (bare in _COMMON or bare in ALIASES or _RATE.fullmatch(bare)):
            continue  # "cash app | area", "cash app ~ telegram", "cash app 1hr": a list, not a name
        for k in _KW_ONE.finditer(kws):
            word = k.group()
            if word.lower() in _RISKY and not (explicit or word.isupper()):
                continue
            if word.lower() in _RISKY and not explicit and name.isupper():
                continue  # "BEST OF HOUSTON": capitals all round, not a handle
            hv = handle_value(word, name)
            if hv is None or _NUMBERISH.fullmatch(name):
                continue
            if hv[1].startswith("facebook:") and _DISPLAY_NAME.match(text, m.start("name")):
                continue  # "FB: Bree Santos": a display name, not a profile name
            rule = "platform" if explicit else "keyword"
            found.append(
                Identifier(
                    hv[0], hv[1], m.group(), m.start(), m.end(), rule, 0.9 if explicit else 0.75
                )
            )
    return found


def _profile_handles(text: str, profile_url: re.Pattern) -> list[Identifier]:
    found: list[Identifier] = []
    for m in profile_url.finditer(text):
        if m.group("name").lower() in _URL_NOT_NAMES:
            continue
        platform = _URL_HOSTS[m.group("host").lower()]
        hv = handle_value(platform, (m.group("at") or "") + m.group("name"))
        if hv:
            found.append(Identifier(hv[0], hv[1], m.group(), m.start(), m.end(), "url", 0.95))
    return found


def _bare_handles(text: str, found: list[Identifier]) -> list[Identifier]:
    """Bare @names that no keyword handle or profile URL in ``found`` covers."""
    taken = Spans([(h.start, h.end) for h in found])
    seen: set[str] = set()
    bare: list[Identifier] = []
    for m in _BARE.finditer(text):
        if m.group("name") in seen or taken.overlaps(m.start(), m.end()):
            continue
        seen.add(m.group("name"))
        hv = handle_value(None, m.group("name"))
        if hv and not _MAIL_SUFFIX.search(hv[1]):
            bare.append(Identifier("handle", hv[1], m.group(), m.start(), m.end(), "bare", 0.6))
    return bare


def normalise_url(raw: str) -> str | None:
    """Lowercase host (no scheme, no ``www.``) plus path, without query or fragment.

    Examples
    --------
    >>> normalise_url("HTTPS://www.Example.com/Jade/?ref=1")
    'example.com/jade'
    """
    m = _URL.fullmatch(raw.strip().rstrip(".,;:!?"))
    if not m:
        return None
    host = (m.group("h1") or m.group("h2")).lower().rstrip(".")
    host = host[4:] if host.startswith("www.") else host
    path = re.split(r"[?#]", m.group("path") or "", maxsplit=1)[0].rstrip("/.,;:!?").lower()
    if "." not in host:
        return None
    return host + path


def find_urls(text: str) -> list[Identifier]:
    """Web addresses, normalised with `normalise_url`.

    Examples
    --------
    >>> [u.value for u in find_urls("see www.Jade-VIP.com/gallery, or e.g. this")]
    ['jade-vip.com/gallery']
    """
    found: list[Identifier] = []
    if "." not in text or (_TLD_HINT.search(text) is None and "://" not in text):
        return found
    for m, start in _web_addresses(text):
        raw = text[start : m.end()].rstrip(".,;:!?")
        value = normalise_url(raw)
        if value is None:
            continue
        host = value.split("/", 1)[0]
        # A mail domain or a bare "call.me" is not a site anyone visits.
        if "/" not in value and (
            host.split(".")[0] in _MAIL_HOSTS or host.endswith(".me") and not m.group("h1")
        ):
            continue
        found.append(Identifier("url", value, raw, start, start + len(raw), "url", 0.8))
    return found


def _web_addresses(text: str) -> list[tuple[re.Match, int]]:
    """``_URL.finditer(text)`` with each match's start: one at the very start is tried on
    its own, the others are found with the character before them (`_URL_AFTER_BREAK`),
    so that the regex engine skips from one such character to the next in a fast scan."""
    url, after_break = _URL_PATTERNS[text.isascii()]
    found = []
    pos = 0
    first = url.match(text)
    if first is not None:
        found.append((first, 0))
        pos = first.end()
    found += [(m, m.start("url")) for m in after_break.finditer(text, pos)]
    return found


_MAIL_HOSTS = frozenset(
    "gmail yahoo hotmail outlook icloud aol protonmail proton gmx ymail live msn".split()
)
