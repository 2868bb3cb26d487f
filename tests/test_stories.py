"""Cluster stories: template with slots, footers left out, growth and spans."""

from __future__ import annotations

import pandas as pd

from workbench.stories import cluster_summary


def test_story_of_a_template_cluster():
    names, cities = ["Jade", "Ruby", "Skye", "Nia"], ["Houston", "Dallas", "Austin", "Tulsa"]
    footer = "Posted on AdHub. Questions? Support line 1 888 201 8449. Report abuse anytime."
    texts = [
        f"Hi gentlemen, sweet {names[i % 4]} here in {cities[i % 4]} for a few days, {20 + i % 5} years, "
        f"upscale and discreet, call me now. {footer}"
        for i in range(40)
    ]
    texts += [
        f"Selling a used bike number {i}, good tyres, pick up only. {footer}" for i in range(40)
    ]
    texts += [
        f"Room for rent near the station, {i} weeks minimum, quiet house. {footer}"
        for i in range(40)
    ]
    accounts = pd.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(120)],
            "text": texts,
            "city": [cities[i % 4] for i in range(120)],
            "posted_at": pd.date_range("2024-01-01", periods=120, freq="D"),
        }
    )
    clusters = pd.DataFrame(
        {
            "account_id": accounts["account_id"],
            "cluster": [0] * 40 + [1] * 40 + [2] * 40,
            "x": 0.0,
            "y": 0.0,
        }
    )
    story = cluster_summary(accounts, clusters).set_index("cluster")
    assert story.loc[0, "n_accounts"] == 40
    template = story.loc[0, "template"]
    assert "gentlemen" in template and "{city}" in template and "{number}" in template
    assert "adhub" not in template.lower() and "adhub" not in story.loc[0, "top_terms"]
    assert story.loc[0, "first_seen"] == "2024-01-01"
    assert story["growth"].str.match(r"(growing|steady|shrinking) \(").all()
