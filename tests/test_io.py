"""Loader: formats, mapping, validation errors and warnings."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workbench.io import (
    InputError,
    WarningLog,
    load_accounts,
    load_cases,
    neutralise_formulas,
    parse_mapping,
    write_csv,
)


def _write(tmp_path, name, text, mode="w"):
    path = tmp_path / name
    if mode == "wb":
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_csv_parquet_jsonl_read_the_same(tmp_path):
    frame = pd.DataFrame(
        {
            "account_id": ["a1", "a2"],
            "text": ["call 713 482 0193", "hi"],
            "posted_at": ["2024-05-01T10:00:00", "2024-05-02"],
            "extra": ["x", "y"],
        }
    )
    frame.to_csv(tmp_path / "a.csv", index=False)
    frame.to_parquet(tmp_path / "a.parquet")
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in frame.to_dict("records")))
    loaded = [load_accounts(tmp_path / f"a.{ext}") for ext in ("csv", "parquet", "jsonl")]
    for other in loaded[1:]:
        pd.testing.assert_frame_equal(loaded[0], other)
    assert loaded[0]["extra"].tolist() == ["x", "y"], "unknown columns are kept"
    assert str(loaded[0]["posted_at"].dtype).startswith("datetime64")


def test_mapping_in_code_and_command_line(tmp_path):
    path = _write(tmp_path, "theirs.csv", "ad_id,body,tel\n1,hello,7134820193\n")
    mapping = parse_mapping(["ad_id=account_id", "body=text", "tel=phone"])
    frame = load_accounts(path, mapping)
    assert frame.loc[0, "account_id"] == "1" and frame.loc[0, "phone"] == "7134820193"


def test_missing_required_column_names_file_and_column(tmp_path):
    path = _write(tmp_path, "bad.csv", "id,body\n1,hello\n")
    with pytest.raises(InputError) as err:
        load_accounts(path)
    assert (
        "bad.csv" in str(err.value) and "account_id" in str(err.value) and "--map" in str(err.value)
    )


@pytest.mark.parametrize(
    "content, problem",
    [
        ("", "empty"),
        (b"\x00\x01\x02PK garbage", None),
    ],
)
def test_unreadable_files_raise_input_error(tmp_path, content, problem):
    path = _write(
        tmp_path,
        "x.parquet" if problem is None else "x.csv",
        content,
        "wb" if isinstance(content, bytes) else "w",
    )
    with pytest.raises(InputError) as err:
        load_accounts(path)
    assert "x." in str(err.value)


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="folder"):
        load_accounts(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        load_accounts(tmp_path / "nope.csv")


def test_recoverable_problems_are_kept_and_counted(tmp_path):
    raw = (
        b"account_id,text,image_hashes,posted_at\n"
        b"a1,ok,00ff00ff00ff00ff;nothex,2024-05-01\n"
        b"a1,dup,,not a date\n"
        b",empty id,,\n"
    ) + "a4,caf\xe9 latin\n".encode("latin-1")
    path = _write(tmp_path, "acc.csv", raw, "wb")
    warnings = WarningLog()
    frame = load_accounts(path, warnings=warnings)
    assert len(frame) == 4, "no row is dropped"
    assert frame["account_id"].is_unique
    problems = warnings.frame()
    assert set(problems["column"]) >= {"account_id", "image_hashes", "posted_at"}
    assert frame.loc[0, "image_hashes"] == "00ff00ff00ff00ff"
    assert frame.loc[3, "text"] == "café latin"
    assert (problems["file"] == str(path)).all()
    bad_hash = problems[problems["column"] == "image_hashes"].iloc[0]
    assert bad_hash["row"] == 2, "rows are numbered as in a spreadsheet"


def test_ragged_rows_and_nul_bytes(tmp_path):
    path = _write(
        tmp_path, "r.csv", b"account_id,text\na1,hi\na2,there,extra,fields\na3,nu\x00l\n", "wb"
    )
    warnings = WarningLog()
    frame = load_accounts(path, warnings=warnings)
    assert frame["account_id"].tolist() == ["a1", "a2", "a3"]
    assert frame.loc[2, "text"] == "nul"
    assert len(warnings.frame()) >= 2


def test_cases_default_kind_and_lists(tmp_path):
    path = _write(
        tmp_path, "c.csv", "case_id,phones,kind\nC1, 713 482 0193 ;; 832-555-0199 ,\nC2,,missing\n"
    )
    cases = load_cases(path)
    assert cases["kind"].tolist() == ["subject", "missing"]
    assert cases.loc[0, "phones"] == "713 482 0193;832-555-0199"


def test_numbers_in_id_column_from_parquet(tmp_path):
    pd.DataFrame({"account_id": [1, 2], "text": ["a", None]}).to_parquet(tmp_path / "n.parquet")
    frame = load_accounts(tmp_path / "n.parquet")
    assert frame["account_id"].tolist() == ["1", "2"] and frame["text"].tolist() == ["a", ""]


def test_formula_cells_neutralised_but_phones_kept(tmp_path):
    frame = pd.DataFrame({"value": ["+17134820193", '=HYPERLINK("x")', "@SUM(1)", "-3.5", "plain"]})
    out = neutralise_formulas(frame)["value"].tolist()
    assert out == ["+17134820193", '\'=HYPERLINK("x")', "'@SUM(1)", "-3.5", "plain"]
    path = write_csv(frame, tmp_path / "o.csv")
    assert "'=HYPERLINK" in path.read_text()
    assert not list(tmp_path.glob(".o.csv*")), "no temporary file is left behind"


def test_csv_outputs_are_the_bytes_pandas_would_write(world_run):
    import numpy as np

    from workbench.csvtext import csv_text
    from workbench.writers import _one_line_ending, neutralise_formulas

    result = world_run[0]
    odd = pd.DataFrame(
        {
            "n": pd.array([1, None, 3], dtype="Int64"),
            "b": pd.array([True, None, False], dtype="boolean"),
            "f32": np.array([1.5, np.inf, -0.0], dtype=np.float32),
            "f": [1e16, 1e-5, np.nan],
            "s": ["", None, 'say "hi", then\nbye'],
        }
    )
    tables = [
        result.entities,
        result.links,
        result.identifiers,
        result.entity_summary,
        result.clusters,
        result.leads,
        result.hubs,
        odd,
        result.accounts,
    ]
    for k, table in enumerate(tables):
        safe = neutralise_formulas(_one_line_ending(table))
        chunks = csv_text(safe)
        if chunks is None:  # dates: pandas writes those
            assert k == len(tables) - 1
            continue
        assert b"".join(chunks) == safe.to_csv(index=False, lineterminator="\n").encode()
