"""Table-driven tests for workbench.extract: hand-written ads, grouped by trick.

Each case lists every identifier the text holds (kind, value); an empty list means
"nothing here". `test_scores` prints per-kind precision and recall over the table.
"""

from __future__ import annotations

import collections

import pandas as pd
import pytest

from workbench.extract import (
    Identifier,
    extract_frame,
    extract_identifiers,
    normalise_email,
    normalise_handle,
    normalise_phone,
)
from workbench.extract.frame import REGION_COLUMNS
from workbench.schema import IDENTIFIER_COLUMNS

H = "+17134820193"
H2 = "+18325551234"


def P(v=H):
    return ("phone", v)


def E(v):
    return ("email", v)


def Hd(v):
    return ("handle", v)


def Pay(v):
    return ("payment", v)


def W(v):
    return ("wallet", v)


def U(v):
    return ("url", v)


CASES: dict[str, list[tuple[str, str, list]]] = {
    "plain": [
        ("dashes", "call 713-482-0193 anytime", [P()]),
        ("dots", "713.482.0193", [P()]),
        ("spaces", "text 713 482 0193", [P()]),
        ("brackets", "(713) 482-0193", [P()]),
        ("brackets_nospace", "(713)482-0193", [P()]),
        ("solid", "7134820193", [P()]),
        ("slashes", "713/482/0193", [P()]),
        ("mixed_seps", "713.482 - 0193", [P()]),
        ("square", "[713] 482 0193", [P()]),
        ("underscores", "713_482_0193", [P()]),
        ("leading_1", "1-713-482-0193", [P()]),
        ("plus1", "+1 713 482 0193", [P()]),
        ("plus1_brackets", "+1 (713) 482-0193", [P()]),
        ("one_solid", "17134820193", [P()]),
        ("two_numbers", "713-482-0193 or 832-555-1234", [P(), P(H2)]),
        ("glued_word", "call7134820193now", [P()]),
        ("colon", "Phone:713-482-0193", [P()]),
        ("tabs", "713\t482\t0193", [P()]),
        ("stars", "713*482*0193", [P()]),
        ("tilde", "713~482~0193", [P()]),
        ("pipes", "713 | 482 | 0193", [P()]),
        ("commas", "713, 482, 0193", [P()]),
        ("spaced_single", "7 1 3 4 8 2 0 1 9 3", [P()]),
        ("dashed_single", "7-1-3-4-8-2-0-1-9-3", [P()]),
        ("pairs", "71 34 82 01 93", [P()]),
        ("odd_groups", "7 13 48 20 193", [P()]),
        ("hash_prefix", "Phone # 713-482-0193", [P()]),
        ("trailing_period", "call 713.482.0193.", [P()]),
        ("then_price", "713 482 0193 $200", [P()]),
        ("caps_context", "CALL NOW 713 482 0193!!!", [P()]),
        ("canada", "Toronto 416-555-0199 ok", []),  # 555-01xx is fiction
        ("canada_real", "Toronto 416 482 0193", [P("+14164820193")]),
        ("repeat_same", "713-482-0193 713.482.0193", [P()]),
        ("after_date", "05/01/2024 713-482-0193", [P()]),
        ("after_zip", "Houston TX 77002 713-482-0193", [P()]),
        ("after_age", "22 713 482 0193", [P()]),
        ("ext", "713-482-0193 ext 12", [P()]),
        ("ext_x", "713.482.0193 x204", [P()]),
        ("vanity", "1-800-FLOWERS", [P("+18003569377")]),
        ("vanity_local", "713-GET-LUCY", [P("+17134385829")]),
    ],
    "words": [
        ("english", "seven one three four eight two zero one nine three", [P()]),
        ("english_caps", "SEVEN ONE THREE FOUR EIGHT TWO ZERO ONE NINE THREE", [P()]),
        ("english_oh", "seven one three, four eight two, oh one nine three", [P()]),
        ("english_dashes", "seven-one-three-four-eight-two-zero-one-nine-three", [P()]),
        ("english_glued", "sevenonethreefoureighttwozeroonenine three", [P()]),
        ("spanish", "siete uno tres cuatro ocho dos cero uno nueve tres", [P()]),
        ("spanish_caps", "Siete Uno Tres - Cuatro Ocho Dos - Cero Uno Nueve Tres", [P()]),
        ("mixed_three", "7one3 48two 0one93", [P()]),
        ("mixed_groups", "713 four8two 0193", [P()]),
        ("mixed_words_digits", "seven13 482 zero193", [P()]),
        ("mixed_spanish", "7uno3 48dos 0uno93", [P()]),
        ("newline_words", "seven one three\nfour eight two\nzero one nine three", [P()]),
        ("with_one_prefix", "one seven one three four eight two zero one nine three", [P()]),
        ("prose_numbers", "one of the two best girls, three times a week", []),
        ("count_words", "one two three four five six seven eight nine", []),
        ("someone", "someone two three", []),
    ],
    "lookalike": [
        ("O_for_zero", "713-482-O193", [P()]),
        ("o_for_zero", "713 482 o193", [P()]),
        ("l_for_one", "7l3-482-0l93", [P()]),
        ("I_for_one", "7I3 482 0I93", [P()]),
        ("both", "7l3.48two.Ol93", [P()]),
        ("O_middle", "713 48O 0193", [P("+17134800193")]),
        ("word_o_alone", "713 o 482 0193", []),  # a lone 'o' between groups is a word
        ("Oslo", "Oslo 713 482 0193", [P()]),
        ("Il_words", "I lol 713 482 0193", [P()]),
    ],
    "unicode": [
        ("fullwidth", "７１３４８２０１９３", [P()]),
        ("fullwidth_seps", "（７１３）４８２－０１９３", [P()]),
        ("keycaps", "7️⃣1️⃣3️⃣4️⃣8️⃣2️⃣0️⃣1️⃣9️⃣3️⃣", [P()]),
        ("keycaps_spaced", "7️⃣1️⃣3️⃣ 4️⃣8️⃣2️⃣ 0️⃣1️⃣9️⃣3️⃣", [P()]),
        ("circled", "⑦①③④⑧②⓪①⑨③", [P()]),
        ("neg_circled", "❼❶❸ ❹❽❷ ⓿❶❾❸", [P()]),
        ("math_bold", "𝟕𝟏𝟑𝟒𝟖𝟐𝟎𝟏𝟗𝟑", [P()]),
        ("math_sans", "𝟩𝟣𝟥-𝟦𝟪𝟤-𝟢𝟣𝟫𝟥", [P()]),
        ("arabic_indic", "٧١٣٤٨٢٠١٩٣", [P()]),
        ("devanagari", "७१३४८२०१९३", [P()]),
        ("mixed_width", "71３ 4８2 0１93", [P()]),
        ("zero_width", "713\u200b482\u200b0193", [P()]),
        ("nbsp", "713\u00a0482\u00a00193", [P()]),
        ("emoji_split", "713💋482💋0193", [P()]),
        ("emoji_multi", "713 🌹🌹 482 🔥 0193", [P()]),
        ("hearts", "7❤1❤3❤4❤8❤2❤0❤1❤9❤3", [P()]),
        ("skin_tone", "713👋🏽482👋🏽0193", [P()]),
        ("line_breaks", "713\n482\n0193", [P()]),
        ("crlf", "713\r\n482\r\n0193", [P()]),
        ("para_break", "713\n\n482 0193", []),
        ("em_dash", "713—482—0193", [P()]),
        ("minus_sign", "713−482−0193", [P()]),
        ("bullets", "713•482•0193", [P()]),
        ("superscripts", "⁷¹³⁴⁸²⁰¹⁹³", [P()]),
    ],
    "international": [
        ("uk_plus", "+44 7911 123456", [P("+447911123456")]),
        # A national number of another country gets no invented country code (issue 20):
        # "07911 123456" is +44 only in a GB account (see test_region_option).
        ("uk_trunk_in_us_ad", "07911 123456", []),
        ("uk_0044", "0044 7911 123456", [P("+447911123456")]),
        ("uk_bare_cc", "44 7911 123456", [P("+447911123456")]),
        ("uk_landline", "+44 20 7946 0018", [P("+442079460018")]),
        ("mx_plus", "+52 55 1234 5678", [P("+525512345678")]),
        ("mx_mobile_1", "+52 1 55 1234 5678", [P("+525512345678")]),
        ("mx_bare_cc", "52 55 1234 5678", [P("+525512345678")]),
        ("us_011", "011 44 7911 123456", [P("+447911123456")]),
        ("fullwidth_plus", "＋44 7911 123456", [P("+447911123456")]),
        (
            "plus_words",
            "+ four four seven nine one one one two three four five six",
            [P("+447911123456")],
        ),
    ],
    "not_phone": [
        ("price_hr", "200/hr", []),
        ("price_dollar", "$150 $200 $250 $300", []),
        ("price_list", "QV 100 HH 150 H 250 2hrs 400", []),
        ("price_spaced", "100 150 200 250", []),
        ("roses", "150 roses 300 roses", []),
        ("hours_price", "2 hrs 300", []),
        ("age", "22 yrs old", []),
        ("age_yo", "sweet 19yo", []),
        ("measurements", "34-24-36 5'4 36DD 120lbs", []),
        ("stats_line", "5'6 130 lbs 36-26-38 size 4", []),
        ("iso_date", "2024-05-01", []),
        ("us_date", "10/12/2024", []),
        ("date_time", "10/12/2024 11:30pm", []),
        ("times", "11pm 10am-9pm 7-11", []),
        ("zip", "Houston TX 77002", []),
        ("zip_plus4", "77002-1234", []),
        ("street", "1234 Main St Apt 56", []),
        ("ad_id", "ad #48213", []),
        ("ad_id_long", "ad #7134820193", []),
        ("ref_id", "ref 1234567890", []),
        ("post_id", "Post ID: 7134820193", []),
        ("order", "order no. 7134820193", []),
        ("placeholder_seq", "123-456-7890", []),
        ("placeholder_zero", "000-000-0000", []),
        ("placeholder_555", "713-555-0123", []),
        ("placeholder_rep", "1111111111", []),
        ("placeholder_rep7", "777-777-7777", []),
        ("placeholder_xxx", "713-xxx-xxxx", []),
        ("too_short", "482-0193", []),
        ("too_long", "71348201937134", []),
        ("digit_dump", "3141592653589793238462643383279", []),
        ("invalid_area", "113-482-0193", []),
        ("version", "v2.10.3 build 20240501", []),
        ("decimal", "3.14159 2.71828", []),
        ("price_range", "$100-$200", []),
        ("usd", "150usd 200 usd", []),
        ("percent", "100% real 50% off", []),
        ("year_list", "2019 2020 2021 2022", []),
        ("height_cm", "170cm 55kg", []),
        ("card", "card 4111 1111 1111 1111", []),
    ],
    "email": [
        ("plain", "jade@gmail.com", [E("jade@gmail.com")]),
        ("caps", "JADE@GMAIL.COM", [E("jade@gmail.com")]),
        ("dotted_local", "jade.smith@yahoo.com", [E("jade.smith@yahoo.com")]),
        ("plus_tag", "jade+ads@outlook.com", [E("jade+ads@outlook.com")]),
        ("subdomain", "jade@mail.example.co.uk", [E("jade@mail.example.co.uk")]),
        ("at_dot_words", "jade at gmail dot com", [E("jade@gmail.com")]),
        ("at_dot_caps", "jade AT gmail DOT com", [E("jade@gmail.com")]),
        ("brackets", "jade[at]gmail[dot]com", [E("jade@gmail.com")]),
        ("parens", "jade(at)gmail(dot)com", [E("jade@gmail.com")]),
        ("parens_dot", "jade(at)gmail(.)com", [E("jade@gmail.com")]),
        ("curly", "jade{at}gmail{dot}com", [E("jade@gmail.com")]),
        ("spaced_brackets", "jade [ at ] gmail [ dot ] com", [E("jade@gmail.com")]),
        ("spaced_at", "jade @ gmail . com", [E("jade@gmail.com")]),
        ("at_sign_dot_word", "jade@gmail dot com", [E("jade@gmail.com")]),
        ("d0t", "jade at gmail d0t com", [E("jade@gmail.com")]),
        ("no_tld", "jade at gmail", [E("jade@gmail.com")]),
        ("no_tld_sign", "jade@yahoo", [E("jade@yahoo.com")]),
        ("no_tld_hotmail", "email me: kim22 at hotmail", [E("kim22@hotmail.com")]),
        ("local_dot_word", "jade dot smith at yahoo dot com", [E("jade.smith@yahoo.com")]),
        ("co_uk_words", "jade at hotmail dot co dot uk", [E("jade@hotmail.co.uk")]),
        ("fullwidth", "ｊａｄｅ＠ｇｍａｉｌ．ｃｏｍ", [E("jade@gmail.com")]),
        ("sentence_end", "Email jade@gmail.com. Me too", [E("jade@gmail.com")]),
        ("two", "jade@gmail.com, kim@aol.com", [E("jade@gmail.com"), E("kim@aol.com")]),
        ("protonmail", "jade {at} protonmail {dot} com", [E("jade@protonmail.com")]),
        ("custom_domain_digits", "jade22 at sugarbabes.com", [E("jade22@sugarbabes.com")]),
        ("arroba", "jade arroba gmail punto com", [E("jade@gmail.com")]),
        ("mailto", "mailto:jade@gmail.com", [E("jade@gmail.com")]),
        ("underscore", "its_jade_x@icloud.com", [E("its_jade_x@icloud.com")]),
        ("not_at_place", "meet me at the hotel.com lobby", [U("hotel.com")]),
        ("not_at_home", "I'm at home tonight", []),
        ("not_at_number", "text me at 713", []),
        ("not_twitter_at", "@jade", [Hd("jade")]),
        ("not_at_time", "available at 10pm", []),
        ("not_domain_only", "gmail.com", []),
    ],
    "handle": [
        ("ig_colon", "IG: jade_22", [Hd("instagram:jade_22")]),
        ("ig_at", "IG @jade_22", [Hd("instagram:jade_22")]),
        ("insta_at", "insta @jade.baby", [Hd("instagram:jade.baby")]),
        (
            "instagram_url",
            "instagram.com/jade_22",
            [Hd("instagram:jade_22"), U("instagram.com/jade_22")],
        ),
        ("follow_ig", "follow me on IG jadexo", [Hd("instagram:jadexo")]),
        ("camera_emoji", "📸 jade22", [Hd("instagram:jade22")]),
        ("insta_dash", "Insta- jade22", [Hd("instagram:jade22")]),
        ("sc_dash", "sc- jade22", [Hd("snapchat:jade22")]),
        ("sc_colon", "SC: jadexo", [Hd("snapchat:jadexo")]),
        ("snap", "snap: jade_x", [Hd("snapchat:jade_x")]),
        ("ghost", "👻 jadebaby", [Hd("snapchat:jadebaby")]),
        ("add_snap", "add my snap jade22", [Hd("snapchat:jade22")]),
        ("snapchat_at", "snapchat @jade22", [Hd("snapchat:jade22")]),
        ("kik", "kik: jade22", [Hd("kik:jade22")]),
        ("kik_caps", "KIK jade22", [Hd("kik:jade22")]),
        ("kik_me", "kik me @jade22", [Hd("kik:jade22")]),
        ("telegram_at", "telegram @jade22", [Hd("telegram:jade22")]),
        ("tg", "tg: jadevip", [Hd("telegram:jadevip")]),
        ("tme", "t.me/jadevip", [Hd("telegram:jadevip"), U("t.me/jadevip")]),
        ("twitter", "twitter @jade22", [Hd("twitter:jade22")]),
        ("x_colon", "X: @jade22", [Hd("twitter:jade22")]),
        (
            "twitter_url",
            "https://twitter.com/Jade22",
            [Hd("twitter:jade22"), U("twitter.com/jade22")],
        ),
        ("of_url", "onlyfans.com/jade22", [Hd("onlyfans:jade22"), U("onlyfans.com/jade22")]),
        ("of_colon", "OF: jade22", [Hd("onlyfans:jade22")]),
        ("my_of", "my OF jadexo", [Hd("onlyfans:jadexo")]),
        ("tiktok", "tiktok @jade.dances", [Hd("tiktok:jade.dances")]),
        ("tiktok_url", "tiktok.com/@jade22", [Hd("tiktok:jade22"), U("tiktok.com/@jade22")]),
        ("multi_platform", "IG/SC: jade_22", [Hd("instagram:jade_22"), Hd("snapchat:jade_22")]),
        ("ig_and_snap", "IG & Snap: jadexo", [Hd("instagram:jadexo"), Hd("snapchat:jadexo")]),
        ("bare_at", "hmu @jade_22", [Hd("jade_22")]),
        ("caps_name", "IG: JADE_22", [Hd("instagram:jade_22")]),
        ("trailing_dot", "IG: jade22.", [Hd("instagram:jade22")]),
        ("arrow", "IG ➡️ jade22", [Hd("instagram:jade22")]),
        ("emoji_before_colon", "Snap👻: jadexo", [Hd("snapchat:jadexo")]),
        (
            "two_platforms_two_names",
            "instagram: @jade_22 snap: jadexo",
            [Hd("instagram:jade_22"), Hd("snapchat:jadexo")],
        ),
        ("kik_tg", "kik/tg: jadevip", [Hd("kik:jadevip"), Hd("telegram:jadevip")]),
        ("not_of_prose", "one of the best", []),
        ("not_caps_of", "BEST OF HOUSTON", []),
        ("not_x_prose", "x marks the spot", []),
        ("not_ig_word", "igloo and bigger", []),
        ("not_snap_stop", "snap me for more", []),
        ("not_insta_pics", "check my insta pics", []),
        ("not_sc_state", "Columbia, SC 29201", []),
        ("not_email_local", "IG: jade@gmail.com", [E("jade@gmail.com")]),
        ("whatsapp_phone", "WhatsApp: +44 7911 123456", [P("+447911123456")]),
        ("wa_me", "wa.me/447911123456", [P("+447911123456"), U("wa.me/447911123456")]),
    ],
    "payment": [
        ("cashtag", "cashapp $JadeB22", [Pay("cashapp:$jadeb22")]),
        ("cashtag_only", "deposit $jadeb first", [Pay("cashapp:$jadeb")]),
        ("on_cash_app", "$jade22 on cash app", [Pay("cashapp:$jade22")]),
        ("ca_colon", "CA: $jade22", [Pay("cashapp:$jade22")]),
        ("money_emoji", "💵 $JadeXO", [Pay("cashapp:$jadexo")]),
        ("cash_app_dash", "Cash App- $jade22", [Pay("cashapp:$jade22")]),
        ("cashapp_no_dollar", "cashapp: jade22", [Pay("cashapp:$jade22")]),
        ("cash_app_url", "cash.app/$jade22", [Pay("cashapp:$jade22"), U("cash.app/$jade22")]),
        ("venmo", "venmo @jade-22", [Pay("venmo:jade-22")]),
        ("venmo_colon", "Venmo: Jade-B", [Pay("venmo:jade-b")]),
        ("venmo_url", "venmo.com/u/jade22", [Pay("venmo:jade22"), U("venmo.com/u/jade22")]),
        ("paypal_me", "paypal.me/JadeB", [Pay("paypal:jadeb"), U("paypal.me/jadeb")]),
        ("paypal_word", "paypal: jadeb22", [Pay("paypal:jadeb22")]),
        ("cashtag_then_word", "$jade22 cashapp only", [Pay("cashapp:$jade22")]),
        ("not_price", "$150/hr", []),
        ("not_usd", "$USD only", []),
        ("not_price_k", "$1k", []),
    ],
    "wallet": [
        (
            "btc_legacy",
            "BTC: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            [W("btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")],
        ),
        (
            "btc_p2sh",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            [W("btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")],
        ),
        ("btc_bad_checksum", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", []),
        (
            "bech32",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            [W("btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")],
        ),
        (
            "bech32_upper",
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            [W("btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")],
        ),
        ("bech32_bad", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp", []),
        (
            "taproot",
            "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
            [W("btc:bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297")],
        ),
        (
            "eth_checksum",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            [W("eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")],
        ),
        (
            "eth_lower",
            "eth 0x52908400098527886e0f7030069857d2e4169ee7",
            [W("eth:0x52908400098527886e0f7030069857d2e4169ee7")],
        ),
        ("eth_bad_case", "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", []),
        (
            "tron",
            "USDT TRC20: TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            [W("trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")],
        ),
        ("not_hex_short", "0x1234abcd", []),
    ],
    "url": [
        ("https", "https://www.Jade-VIP.com/gallery?x=1", [U("jade-vip.com/gallery")]),
        ("www", "www.jadevip.net", [U("jadevip.net")]),
        ("bare_path", "jadevip.com/book", [U("jadevip.com/book")]),
        ("linktree", "linktr.ee/jade22", [U("linktr.ee/jade22")]),
        ("trailing_punct", "see jadevip.com.", [U("jadevip.com")]),
        ("not_eg", "e.g. i.e. a.m. p.m.", []),
        ("not_decimal", "5.5 inches", []),
        ("not_call_me", "call.me later", []),
    ],
    "combined": [
        (
            "full_ad",
            "Jade 22 - new in town! text 7one3.48two.0one93, IG: jade_22, jade at gmail",
            [P(), Hd("instagram:jade_22"), E("jade@gmail.com")],
        ),
        ("prices_and_phone", "QV 100 HH 150 H 250 call 713-482-0193 no texts", [P()]),
        ("stats_and_phone", "5'4 34-24-36 22yo 713 482 0193", [P()]),
        (
            "date_phone_email",
            "Available 05/01/2024 call +1 713 482 0193 or jade@gmail.com",
            [P(), E("jade@gmail.com")],
        ),
        (
            "spanish_ad",
            "Hola soy Jade, llamame siete uno tres cuatro ocho dos cero uno nueve tres",
            [P()],
        ),
        ("emoji_ad", "🔥NEW🔥 7️⃣1️⃣3️⃣ 4️⃣8️⃣2️⃣ 0️⃣1️⃣9️⃣3️⃣ 👻 jadexo", [P(), Hd("snapchat:jadexo")]),
        ("two_phones_lines", "713-482-0193\n832-555-1234", [P(), P(H2)]),
        ("phone_then_price", "713-482-0193 150/hh", [P()]),
        ("spaced_then_price", "call 7 1 3 4 8 2 0 1 9 3 $200/hr", [P()]),
        ("price_then_stats", "H 250 34-24-36 5'4 call 713-482-0193", [P()]),
        ("odd_groups_whole_run", "250 34 24 36 5", []),
        ("ad_id_and_phone", "ad #48213 call 713 482 0193", [P()]),
        ("empty", "", []),
        ("no_contact", "Sweet and discreet, upscale only, no rush", []),
        # seen at 1M: a divider line, a list bar, a rate or a platform after "cash app"
        ("divider_after_platform", "pay on cash app\n---\nPosted on AdHub", []),
        ("bar_list_after_platform", "cash app | area code 713 | telegram", []),
        ("platform_after_platform", "cash app ~ telegram", []),
        ("rate_after_platform", "cash app 1hr", []),
        ("spelled_number_hyphens", "whatsapp FOUR-ONE-FIVE", []),
        ("descriptor_after_platform", "whatsapp petite", []),
        ("bar_then_name", "IG | jade_22", [Hd("instagram:jade_22")]),
    ],
}

TABLE = [
    (f"{group}-{cid}", text, expected)
    for group, rows in CASES.items()
    for cid, text, expected in rows
]


def found_set(text: str) -> set[tuple[str, str]]:
    return {(i.kind, i.value) for i in extract_identifiers(text)}


@pytest.mark.parametrize("text,expected", [t[1:] for t in TABLE], ids=[t[0] for t in TABLE])
def test_case(text, expected):
    assert found_set(text) == set(expected)


def test_table_size():
    assert len(TABLE) >= 200


def score_table() -> dict[str, tuple[float, float, int]]:
    """Per-kind (precision, recall, support) over the table."""
    tp, fp, fn = collections.Counter(), collections.Counter(), collections.Counter()
    for _, text, expected in TABLE:
        got, want = found_set(text), set(expected)
        for kind, _ in got & want:
            tp[kind] += 1
        for kind, _ in got - want:
            fp[kind] += 1
        for kind, _ in want - got:
            fn[kind] += 1
    out = {}
    for kind in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0
        r = tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else 1.0
        out[kind] = (p, r, tp[kind] + fn[kind])
    return out


def test_scores(capsys):
    scores = score_table()
    with capsys.disabled():
        print("\nkind       precision  recall  support")
        for kind, (p, r, n) in scores.items():
            print(f"{kind:10s} {p:9.3f} {r:7.3f} {n:8d}")
    for kind, (p, r, _) in scores.items():
        assert p >= 0.97 and r >= 0.97, kind


def test_raw_and_offsets():
    text = "hi! call (713) 482-0193 or jade [at] gmail [dot] com"
    for ident in extract_identifiers(text):
        assert isinstance(ident, Identifier)
        assert text[ident.start : ident.end] == ident.raw
        assert ident.rule and 0 < ident.confidence <= 1
    rules = {i.kind: i.rule for i in extract_identifiers(text)}
    assert rules == {"phone": "digits", "email": "obfuscated"}


@pytest.mark.parametrize(
    "text,rule",
    [
        ("713 482 0193", "digits"),
        ("seven one three four eight two zero one nine three", "words"),
        ("7one3 48two 0one93", "mixed"),
        ("7l3 482 0193", "lookalike"),
        ("７１３４８２０１９３", "fullwidth"),
        ("713💋482💋0193", "emoji"),
        ("⑦①③④⑧②⓪①⑨③", "unicode"),
        ("1-800-FLOWERS", "vanity"),
    ],
)
def test_phone_rules(text, rule):
    (ident,) = extract_identifiers(text)
    assert ident.rule == rule


def test_region_option():
    assert normalise_phone("07911 123456", region="GB") == "+447911123456"
    assert normalise_phone("55 1234 5678", region="MX") == "+525512345678"
    assert [i.value for i in extract_identifiers("tel 55 1234 5678", region="MX")] == [
        "+525512345678"
    ]


@pytest.mark.parametrize(
    "raw,value",
    [
        ("(713) 482-0193", H),
        ("+1 713.482.0193", H),
        ("7134820193", H),
        ("seven one three 4820193", H),
        ("+44 7911 123456", "+447911123456"),
        ("", None),
        ("n/a", None),
        ("123-456-7890", None),
        (None, None),
    ],
)
def test_normalise_phone(raw, value):
    assert normalise_phone(raw) == value


@pytest.mark.parametrize(
    "raw,value",
    [
        ("Jade@Gmail.com", "jade@gmail.com"),
        ("jade at gmail dot com", "jade@gmail.com"),
        (" jade@yahoo ", "jade@yahoo.com"),
        ("nope", None),
        (None, None),
    ],
)
def test_normalise_email(raw, value):
    assert normalise_email(raw) == value


@pytest.mark.parametrize(
    "raw,platform,value",
    [
        ("instagram:Jade_22", None, "instagram:jade_22"),
        ("ig:jade_22", None, "instagram:jade_22"),
        ("@jade_22", None, "jade_22"),
        ("jade_22", "snapchat", "snapchat:jade_22"),
        ("https://instagram.com/jade_22/", None, "instagram:jade_22"),
        ("SC: jadexo", None, "snapchat:jadexo"),
        ("cashapp:$JadeB", None, "cashapp:$jadeb"),
        ("venmo:@jade-b", None, "venmo:jade-b"),
        ("", None, None),
        ("@", None, None),
    ],
)
def test_normalise_handle(raw, platform, value):
    assert normalise_handle(raw, platform=platform) == value


def test_extract_frame_sources_and_dedupe():
    accounts = pd.DataFrame(
        {
            "account_id": ["a1", "a2", "a3", "a4"],
            "text": ["call 713 482 0193, IG: jade_22", "call 713 482 0193, IG: jade_22", None, ""],
            "title": ["Jade", "jade at gmail", "x", None],
            "phone": ["(713) 482-0193;832-555-1234", None, "bad", float("nan")],
            "email": [None, "JADE@gmail.com", None, "kim at aol dot com"],
            "handle": ["snap:jadexo", None, "cashapp:$jb22;@kim", None],
            "image_hashes": ["00ff00ff00ff00ff;XYZ", None, "ABCDEFABCDEFABCD", None],
            "pdq_hashes": ["a" * 64, None, "b" * 63, None],
        }
    )
    table = extract_frame(accounts)
    assert tuple(table.columns) == IDENTIFIER_COLUMNS
    assert (
        tuple(extract_frame(accounts, with_regions=True).columns)
        == IDENTIFIER_COLUMNS + REGION_COLUMNS
    )
    assert not table.duplicated(["account_id", "kind", "value"]).any()
    got = set(map(tuple, table[["account_id", "kind", "value", "source"]].to_numpy()))
    assert got == {
        ("a1", "phone", H, "text"),
        ("a1", "handle", "instagram:jade_22", "text"),
        ("a1", "phone", H2, "phone"),
        ("a1", "handle", "snapchat:jadexo", "handle"),
        ("a1", "image", "00ff00ff00ff00ff", "image_hashes"),
        ("a1", "pdq", "a" * 64, "pdq_hashes"),
        ("a2", "phone", H, "text"),
        ("a2", "handle", "instagram:jade_22", "text"),
        ("a2", "email", "jade@gmail.com", "title"),
        ("a3", "payment", "cashapp:$jb22", "handle"),
        ("a3", "handle", "kim", "handle"),
        ("a3", "image", "abcdefabcdefabcd", "image_hashes"),
        ("a4", "email", "kim@aol.com", "email"),
    }
    row = table[(table.account_id == "a1") & (table.source == "phone")].iloc[0]
    assert accounts.phone[0][row.start : row.end] == row.raw == "832-555-1234"


def test_extract_frame_unicode_only_text_passes_prefilter():
    accounts = pd.DataFrame(
        {"account_id": ["a"], "text": ["incall call ７８６８４６７７７２ town"]}
    )
    assert extract_frame(accounts).value.tolist() == ["+17868467772"]


def test_extract_frame_missing_columns_and_empty():
    only = pd.DataFrame({"account_id": [1, 2], "text": ["nothing here", None]})
    table = extract_frame(only)
    assert tuple(table.columns) == IDENTIFIER_COLUMNS and len(table) == 0
    assert (
        tuple(extract_frame(only, with_regions=True).columns) == IDENTIFIER_COLUMNS + REGION_COLUMNS
    )
    table = extract_frame(pd.DataFrame({"account_id": [7], "text": ["713-482-0193"]}, index=[5]))
    assert table.account_id.tolist() == [7] and table.start.tolist() == [0]


@pytest.mark.parametrize(
    "text", ["or whatsapp SS 6122 196O (text only)", "whatsapp seis uno dos", "telegram siete"]
)
def test_spelled_number_after_platform_is_not_a_handle(text):
    from workbench.extract import extract_identifiers

    assert not [i for i in extract_identifiers(text) if i.kind == "handle"]


@pytest.mark.parametrize(
    "text",
    [
        "cash app\nluv u",
        "cash app see you",
        "whatsapp area code",
        "WA Looking for fun",
        "pay with cash app hugs and kisses",
    ],
)
def test_running_text_after_platform_is_not_a_name(text):
    from workbench.extract import extract_identifiers

    assert not [i for i in extract_identifiers(text) if i.kind in ("handle", "payment")]


@pytest.mark.parametrize(
    "text", ["cash app bye", "cash app besos 💋", "pay cash app stay safe", "cashapp ciao"]
)
def test_short_word_after_platform_without_separator_is_not_a_name(text):
    from workbench.extract import extract_identifiers

    assert not [i for i in extract_identifiers(text) if i.kind in ("handle", "payment")]


def test_extract_frame_texts_differing_after_nul():
    # Distinct texts stay distinct even when they differ only after a NUL.
    accounts = pd.DataFrame(
        {"account_id": ["a", "b"], "text": ["call\x00 713 482 0193", "call\x00 832 555 1234 ok"]}
    )
    table = extract_frame(accounts)
    assert dict(zip(table.account_id, table.value, strict=True)) == {"a": H, "b": H2}


def test_extract_frame_in_several_processes_equals_one(monkeypatch):
    from workbench.extract import parallel
    from workbench.synth import generate_world

    accounts = generate_world(1500, seed=7).accounts
    one = extract_frame(accounts, workers=1)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10)  # fan out even this small table
    several = extract_frame(accounts, workers=3)
    pd.testing.assert_frame_equal(one, several)
    assert len(one) > 1000
