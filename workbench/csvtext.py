"""CSV text of a DataFrame built column by column in Arrow: the bytes pandas writes, faster.

Owns only the formatting; ``writers.write_csv`` decides what is written and where.
``DataFrame.to_csv`` formats every cell in Python (45 s for the 10M rows of a 1M-ad run);
here each column is turned into text once (numpy for numbers, Arrow for strings), quoted
where the csv module would quote it, and the lines are joined in Arrow. Tables this does
not cover byte for byte (dates, categories, mixed object columns, a single column) return
None and the caller uses pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

CHUNK_ROWS = 500_000
"""Rows formatted at once: bounds the text held in memory to a few hundred MB."""
_NEEDS_QUOTES = r'[",\r\n]'


def _quoted(text: pa.Array) -> pa.Array:
    """Quote the cells the csv module's QUOTE_MINIMAL would: a comma, a quote or a line break."""
    needs = pc.match_substring_regex(text, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return text
    escaped = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs, escaped, text)


def _column_text(values: pd.Series) -> pa.Array | None:
    """Each cell as pandas' to_csv writes it (missing as ""), or None when not covered."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return pa.array(np.where(values.to_numpy(), "True", "False"), pa.string())
    if isinstance(dtype, pd.BooleanDtype):
        text = np.where(values.fillna(False).to_numpy(bool), "True", "False")
        return pa.array(np.where(values.isna().to_numpy(), "", text), pa.string())
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return pc.cast(pa.array(values.to_numpy()), pa.string())
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and pd.api.types.is_integer_dtype(dtype):
        return pc.fill_null(
            pc.cast(
                pa.array(values.to_numpy(dtype="float64", na_value=np.nan), from_pandas=True).cast(
                    pa.int64()
                ),
                pa.string(),
            ),
            "",
        )
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        array = values.to_numpy()
        # numpy's str is the shortest repr (float32 too), as pandas writes floats.
        return pa.array(np.where(np.isnan(array), "", array.astype(str)), pa.string())
    if isinstance(dtype, pd.StringDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "O"):
        try:
            text = pa.array(
                values.to_numpy(dtype=object, na_value=None), pa.string(), from_pandas=True
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):
            return (
                None  # numbers or lists in an object column, lone surrogates: pandas writes those
            )
        return _quoted(pc.fill_null(text, ""))
    return None


def csv_text(frame: pd.DataFrame) -> list[bytes] | None:
    """The CSV of ``frame`` (header, ``,``, ``\\n`` line ends, no index) in chunks of bytes,
    equal to ``frame.to_csv(index=False, lineterminator="\\n")``; None when not covered.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": ["a", 'say "hi", then'], "n": [1, 2], "ok": [True, False],
    ...                       "x": [0.5, np.nan]})
    >>> b"".join(csv_text(frame)).decode() == frame.to_csv(index=False, lineterminator="\\n")
    True
    """
    if frame.shape[1] < 2 or not frame.columns.map(type).isin([str]).all():
        return None  # the csv module quotes a lone empty cell; odd column labels
    header = _quoted(pa.array([str(c) for c in frame.columns], pa.string()))
    chunks = [(",".join(header.to_pylist()) + "\n").encode()]
    for start in range(0, len(frame), CHUNK_ROWS):  # bounded: rows / CHUNK_ROWS chunks
        part = frame.iloc[start : start + CHUNK_ROWS]
        columns = [_column_text(part[c]) for c in part.columns]
        if any(c is None for c in columns):
            return None
        lines = pc.binary_join_element_wise(*columns, ",")
        lines = pc.binary_join_element_wise(lines, "\n", "")
        _, offsets, data = lines.buffers()
        ends = np.frombuffer(offsets, dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
        if len(lines) and data is not None:
            chunks.append(memoryview(data)[int(ends[0]) : int(ends[-1])].tobytes())
    return chunks
