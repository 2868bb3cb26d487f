"""Turn a world's draws into the accounts table and its ground truth.

Everything per row is a list comprehension over pre-drawn arrays and
pre-rendered pieces (templates, phone renderings), so 1M rows stay fast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.schema import ACCOUNT_COLUMNS
from workbench.schema import names as column_names
from workbench.synth import text as T
from workbench.synth import vocab as V
from workbench.synth.config import SynthConfig
from workbench.synth.contacts import (
    EMAIL_STYLES,
    HANDLE_PLATFORMS,
    render_cashapp,
    render_email,
    render_handle,
)
from workbench.synth.phones import OBFUSCATED_STYLES, PLACEHOLDERS, PLAIN_STYLES, e164, render_phone
from workbench.synth.photos import flip_bits, pdq_hex, random_hashes, to_hex
from workbench.synth.truth import truth_table

_NO_CONTACT = (
    "DM on site",
    "msg me here",
    "ask for my number",
    "# in pics",
    "contact thru site only",
    "",
)
_JOINERS = (" | ", " or ", "\n", " ~ ", " / ", "  ", ", ")
_FOOTERS = {
    "adhub": "\n---\nPosted on AdHub. Questions? Support line {phone} or {email}. Report abuse anytime.",
    "metrovibe": "\n\nMetroVibe listings | help desk {phone} | all ads are user submitted",
}
_HUB_EMAIL = "support@adhub-help.com"
_HTML_PLATFORMS = ("backboard", "velvetboard")


def _visibility(rng, d, cfg: SynthConfig) -> dict[str, np.ndarray]:
    n = d.n
    is_op, op = d.is_op, np.where(d.is_op, d.row_op, 0)
    pers = np.where(is_op, d.persona, 0)
    ind = np.where(is_op, 0, d.row_ind)
    resurf = d.resurfaced
    # a few operators rarely use their template: only identifiers tie their ads together
    op_generic = np.where(rng.random(max(d.n_ops, 1)) < 0.1, 0.6, cfg.generic_text_rate)
    generic = is_op & (rng.random(n) < op_generic[op]) & ~resurf
    no_contact = (rng.random(n) < cfg.no_contact_rate) & ~resurf & ~generic
    row_phone = d.row_phone.copy()
    if d.n_ops:
        row_phone[generic] = d.ops.shared_start[
            op[generic]
        ]  # generic text still carries the shared phone
    has_phone = (row_phone >= 0) & ~no_contact
    col_rate = np.where(
        d.platform % 2 == 0, cfg.phone_column_rate * 1.6, cfg.phone_column_rate * 0.4
    )
    show_col = has_phone & (rng.random(n) < col_rate)
    show_text = has_phone & ((rng.random(n) < 0.9) | ~show_col)
    u = rng.random((n, 5))
    # now and then an operator ad gives a second (backup) number of the operator
    second = np.full(n, -1, dtype=np.int64)
    if d.n_ops:
        alt = d.ops.shared_start[op] + np.floor(rng.random(n) * d.ops.shared_len[op]).astype(
            np.int64
        )
        m = is_op & show_text & ~resurf & (rng.random(n) < 0.07) & (alt != row_phone)
        second[m] = alt[m]
    email_val = np.where(
        is_op, d.op_email[op] if d.n_ops else "", d.ind_email[ind] if d.n_ind else ""
    )
    handle_val = np.where(
        is_op,
        d.pers_handle[pers] if len(d.pers_handle) else "",
        d.ind_handle[ind] if d.n_ind else "",
    )
    handle_plat = np.where(
        is_op,
        d.pers_handle_plat[pers] if len(d.pers_handle) else 0,
        d.ind_handle_plat[ind] if d.n_ind else 0,
    )
    cash_val = np.where(is_op, d.pers_cash[pers] if len(d.pers_cash) else "", "")
    show_email = (
        (email_val != "")
        & ~no_contact
        & np.where(is_op, (u[:, 0] < 0.3) & ~resurf | (d.signal == "email"), u[:, 0] < 0.7)
    )
    show_handle = (
        (handle_val != "")
        & ~no_contact
        & np.where(is_op, (u[:, 1] < 0.4) & ~resurf | (d.signal == "handle"), u[:, 1] < 0.7)
    )
    show_cash = (cash_val != "") & ~no_contact & ~resurf & (u[:, 2] < 0.3)
    return dict(
        generic=generic,
        no_contact=no_contact,
        row_phone=row_phone,
        second_phone=second,
        show_col=show_col,
        show_text=show_text,
        email=email_val,
        handle=handle_val,
        handle_plat=handle_plat,
        cash=cash_val,
        show_email=show_email,
        show_handle=show_handle,
        show_cash=show_cash,
        email_col=show_email & (u[:, 3] < 0.3),
        handle_col=show_handle & (u[:, 4] < 0.35),
    )


def _templates(
    rng, d, pool: list[str], cfg: SynthConfig
) -> tuple[list[str], list[tuple[int, int]]]:
    """Four format strings per template, two templates (A, B) per operator: index op*8 + t*4 + v.

    Also returns the (imitated, imitator) operator pairs of the similar-style trap.
    """
    out: list[str] = []
    pairs: list[tuple[int, int]] = []
    a_lines: list[list[str]] = []
    similar = rng.random(d.n_ops) < cfg.similar_style_rate
    for o in range(d.n_ops):  # bounded: one template pair per operator
        if similar[o] and o > 0:
            src = int(rng.integers(o))
            a = T.similar_template(rng, a_lines[src], pool)
            pairs.append((src, o))
        else:
            a = T.make_template(rng, pool)
        a_lines.append(a)
        b = T.make_template(rng, pool)
        out.extend(T.template_variants(a, rng))
        out.extend(T.template_variants(b, rng))
    return out, pairs


def render_accounts(
    d, cfg: SynthConfig, seed: int, op_case: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The accounts table and truth table (rows sorted by posting time) plus trap facts."""
    rng = np.random.default_rng([seed, 1])
    n, is_op = d.n, d.is_op
    op = np.where(is_op, d.row_op, 0)
    vis = _visibility(rng, d, cfg)
    pool = T.sentence_pool(rng, int(min(60000, max(3000, n // 8))))
    tpls, similar_pairs = _templates(rng, d, pool, cfg)
    R = rng.integers(0, 2**62, (n, 4)).tolist()
    r0 = [x[0] for x in R]
    # phones as written in the text and in the structured field
    obf_p = np.where(is_op, d.ops.obf[op] if d.n_ops else 0.0, cfg.obfuscation_rate * 0.8)
    obf = rng.random(n) < obf_p
    fav = np.where(
        is_op & (rng.random(n) < 0.6),
        d.ops.fav_style[op] if d.n_ops else 0,
        rng.integers(0, len(OBFUSCATED_STYLES), n),
    )
    styles = np.where(
        obf,
        np.array(OBFUSCATED_STYLES, dtype=object)[fav],
        np.array(PLAIN_STYLES, dtype=object)[rng.integers(0, len(PLAIN_STYLES), n)],
    )
    nat, reg = d.phone_nat, d.phone_region
    rp = vis["row_phone"]
    phone_txt = [
        render_phone(nat[p], reg[p], s, r) if show else ""
        for p, s, r, show in zip(
            rp.tolist(), styles.tolist(), r0, vis["show_text"].tolist(), strict=True
        )
    ]
    backup = [
        f" {('or', 'backup:', '/', 'alt #', 'or whatsapp')[r % 5]} {render_phone(nat[p], reg[p], s, r >> 3)}"
        if p >= 0
        else ""
        for p, s, r in zip(vis["second_phone"].tolist(), styles.tolist(), r0, strict=True)
    ]
    phone_txt = [a + b for a, b in zip(phone_txt, backup, strict=True)]
    col_style = np.array(("dash", "paren", "compact", "intl", "dot"), dtype=object)[
        rng.integers(0, 5, n)
    ]
    phone_col = [
        render_phone(nat[p], reg[p], s, r) if show else ""
        for p, s, r, show in zip(
            rp.tolist(), col_style.tolist(), r0, vis["show_col"].tolist(), strict=True
        )
    ]
    e_style = np.array(EMAIL_STYLES, dtype=object)[rng.integers(0, len(EMAIL_STYLES), n)]
    email_txt = [
        render_email(*e.split("@"), s) if show else ""
        for e, s, show in zip(
            vis["email"].tolist(), e_style.tolist(), vis["show_email"].tolist(), strict=True
        )
    ]
    hp = [HANDLE_PLATFORMS[k] for k in vis["handle_plat"].tolist()]
    handle_txt = [
        render_handle(h, p, r >> 7) if show else ""
        for h, p, r, show in zip(
            vis["handle"].tolist(), hp, r0, vis["show_handle"].tolist(), strict=True
        )
    ]
    cash_txt = [
        render_cashapp(c, r >> 9) if show else ""
        for c, r, show in zip(vis["cash"].tolist(), r0, vis["show_cash"].tolist(), strict=True)
    ]
    contact = []
    for parts, r in zip(
        zip(phone_txt, handle_txt, email_txt, cash_txt, strict=True), R, strict=True
    ):  # one cheap join per row
        got = [p for p in parts if p]
        if len(got) > 1 and r[1] % 3 == 0:
            got.reverse()
        contact.append(
            _JOINERS[r[1] % len(_JOINERS)].join(got)
            if got
            else _NO_CONTACT[r[1] % len(_NO_CONTACT)]
        )
    # slots
    name_idx = np.where(
        is_op,
        d.pers_name[np.maximum(d.persona, 0)] if len(d.pers_name) else 0,
        d.ind_name[np.maximum(d.row_ind, 0)] if d.n_ind else 0,
    )
    names = np.array(V.NAMES, dtype=object)[name_idx].tolist()
    ages = np.where(
        is_op,
        d.pers_age[np.maximum(d.persona, 0)] if len(d.pers_age) else 0,
        d.ind_age[np.maximum(d.row_ind, 0)] if d.n_ind else 0,
    )
    ages = (ages + (rng.random(n) < 0.1)).tolist()
    canon = np.array([c[0] for c in V.CITIES], dtype=object)
    variants = [c[5] for c in V.CITIES]
    use_var = rng.random(n) < 0.4
    city_w = [
        variants[c][r % len(variants[c])] if v else canon[c]
        for c, r, v in zip(d.city.tolist(), r0, use_var.tolist(), strict=True)
    ]
    price_base = d.ops.price[op] if d.n_ops else np.zeros((n, 3), np.int64)
    ind_price = np.stack(
        [
            rng.choice([60, 80, 100], n),
            rng.choice([120, 150, 180], n),
            rng.choice([200, 250, 300], n),
        ],
        axis=1,
    )
    price_base = np.where(is_op[:, None], price_base, ind_price).tolist()
    pform = np.where(
        is_op, d.ops.price_form[op, rng.integers(0, 2, n)] if d.n_ops else 0, rng.integers(0, 12, n)
    ).tolist()
    price = [T.price_text(tuple(b), f) for b, f in zip(price_base, pform, strict=True)]
    # templates: A before resurfacing and for "template" signals, B after or now and then
    use_b = np.where(
        d.case_op[op] if d.n_ops else False,
        d.resurfaced & (d.signal != "template"),
        rng.random(n) < 0.25,
    )
    tidx = (op * 8 + use_b * 4 + rng.integers(0, 4, n)).tolist()
    templated = is_op & ~vis["generic"]
    emoji = [d.ops.emoji[o] for o in op.tolist()] if d.n_ops else [""] * n
    picks = rng.integers(0, len(pool), (n, 5)).tolist()
    npick = rng.integers(1, 5, n).tolist()
    body = [
        tpls[ti].format(name=nm, NAME=nm.upper(), age=a, city=cw, price=pr, contact=ct, emoji=em)
        if tm
        else T.independent_text(nm, cw, pool, pk[:k], r[2], ct, pr)
        for ti, tm, nm, a, cw, pr, ct, em, pk, k, r in zip(
            tidx,
            templated.tolist(),
            names,
            ages,
            city_w,
            price,
            contact,
            emoji,
            picks,
            npick,
            R,
            strict=True,
        )
    ]
    # traps and boilerplate
    trap = rng.random(n) < cfg.trap_rate
    popular = rng.random(n) < np.where(is_op, 0.02, cfg.popular_phrase_rate)
    placeholder = rng.random(n) < cfg.placeholder_rate
    plat_names = np.array(V.PLATFORMS, dtype=object)[d.platform].tolist()
    hub_phone = {
        p: render_phone(nat[i], reg[i], s, 0)
        for p, i, s in zip(
            V.HUB_PLATFORMS, d.hub_phone_ids[[0, 2]].tolist(), ("one", "paren"), strict=True
        )
    }
    footer = {p: _FOOTERS[p].format(phone=hub_phone[p], email=_HUB_EMAIL) for p in V.HUB_PLATFORMS}
    texts = []
    for b, tr, po, ph, pl, r in zip(
        body, trap.tolist(), popular.tolist(), placeholder.tolist(), plat_names, R, strict=True
    ):
        s = b
        if tr:
            s = f"{T.trap_text(r[3])} {s}" if r[3] % 4 == 0 else f"{s} {T.trap_text(r[3])}"
        if po:
            s = f"{s}\n{V.POPULAR_PHRASES[(r[3] >> 8) % len(V.POPULAR_PHRASES)]}"
        if ph:
            s = f"{s} call {PLACEHOLDERS[(r[3] >> 12) % len(PLACEHOLDERS)]}"
        if pl in footer:
            s += footer[pl]
        if pl in _HTML_PLATFORMS:  # scraped as HTML: line breaks and ampersands as markup
            s = s.replace("&", "&amp;").replace("\n", ("<br>", "<br/>", "<br />\n")[r[3] % 3])
        texts.append(s)
    tform = np.where(is_op, d.ops.title_form[op] if d.n_ops else 0, rng.integers(0, 6, n)).tolist()
    titles = [
        T.title_text(nm, a, canon[c], r[2], f)
        for nm, a, c, r, f in zip(names, ages, d.city.tolist(), R, tform, strict=True)
    ]
    # some titles carry the number too (plainly written)
    in_title = np.flatnonzero(vis["show_text"] & (rng.random(n) < 0.05))
    for i in in_title.tolist():  # bounded: a few percent of rows
        p = int(rp[i])
        titles[i] = f"{titles[i]} {render_phone(nat[p], reg[p], 'dash', 0)}"
    # images
    hashes = random_hashes(rng, d.n_photos)
    flat = flip_bits(rng, hashes[d.photo_id], d.photo_flips)
    hex_all = to_hex(flat)
    counts = np.bincount(d.photo_row, minlength=n)
    ends = np.cumsum(counts).tolist()
    starts = [0] + ends[:-1]
    image_hashes = [";".join(hex_all[a:b]) for a, b in zip(starts, ends, strict=True)]
    pdq_rows = rng.random(n) < cfg.pdq_rate
    sel = pdq_rows[d.photo_row]
    pdq_all = pdq_hex(rng, d.photo_id[sel], seed)
    pcounts = np.bincount(d.photo_row[sel], minlength=n)
    pends = np.cumsum(pcounts).tolist()
    pdq = [";".join(pdq_all[a:b]) for a, b in zip([0] + pends[:-1], pends, strict=True)]
    # time, place
    base = np.datetime64(cfg.start + "T00:00:00")
    posted = np.datetime_as_string(base + (d.t * 86400).astype("timedelta64[s]"), unit="s")
    lat = np.array([c[2] for c in V.CITIES])[d.city] + rng.normal(0, 0.04, n)
    lon = np.array([c[3] for c in V.CITIES])[d.city] + rng.normal(0, 0.04, n)
    no_geo = rng.random(n) < 0.35
    no_city = rng.random(n) < 0.03
    city_w = [("" if e else c) for c, e in zip(city_w, no_city.tolist(), strict=True)]
    email_col = np.where(vis["email_col"], vis["email"], "")
    handle_col = [
        f"{p}:{h}" if show else ""
        for p, h, show in zip(hp, vis["handle"].tolist(), vis["handle_col"].tolist(), strict=True)
    ]
    accounts = pd.DataFrame(
        {
            "title": titles,
            "text": texts,
            "platform": plat_names,
            "posted_at": posted,
            "city": city_w,
            "lat": np.where(no_geo, np.nan, lat.round(4)),
            "lon": np.where(no_geo, np.nan, lon.round(4)),
            "phone": phone_col,
            "email": email_col,
            "handle": handle_col,
            "image_hashes": image_hashes,
            "pdq_hashes": pdq,
        }
    )
    truth = truth_table(d, vis, op_case, hp)
    order = np.argsort(d.t, kind="stable")
    ids = np.array([f"A{i:07d}" for i in range(1, n + 1)], dtype=object)
    accounts = accounts.iloc[order].reset_index(drop=True)
    truth = truth.iloc[order].reset_index(drop=True)
    accounts.insert(0, "account_id", ids)
    accounts = accounts[column_names(ACCOUNT_COLUMNS)]
    truth.insert(0, "account_id", ids)
    info = {
        "hub_phones": [e164(nat[i], reg[i]) for i in d.hub_phone_ids[[0, 2]].tolist()],
        "hub_emails": [_HUB_EMAIL],
        "placeholders": list(PLACEHOLDERS),
        "stock_hashes": to_hex(hashes[d.stock_ids]),
        "popular_phrases": list(V.POPULAR_PHRASES),
        "similar_style_pairs": [(f"op{a:05d}", f"op{b:05d}") for a, b in similar_pairs],
        "photo_hashes": hashes,
        "row_order": order,
    }
    return accounts, truth, info
