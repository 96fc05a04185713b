"""The loop an analyst writes without the tool: pandas.read_excel each file, find the rows, one pandera call.

    .venv/bin/python benchmarks/naive.py CATALOG FILE_LIST OUT.csv

FILE_LIST is a text file with one workbook path a line. This is the baseline the
benchmark compares `consolidator consolidate` with: per file, `read_excel(..., header=None,
engine="openpyxl")` on the first sheet, the header row found by its "Mã chỉ tiêu" label,
the indicator rows picked by their codes, Vietnamese text numbers converted, and one
`DataFrameSchema.validate(lazy=True)` with a few numeric and isin checks. It then writes
all rows to one CSV. No rollup, no report workbook: it does less than the tool.
"""

from __future__ import annotations

import sys

import pandas as pd
import pandera.pandas as pa


def to_float(value):
    """12,5 → 12.5 and 1.234 → 1234, as a user of Vietnamese spreadsheets would write it."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace(".", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def main(catalog: str, file_list: str, out_csv: str) -> int:
    indicators = pd.read_excel(catalog, sheet_name="indicators", engine="openpyxl")
    codes = set(indicators["indicator_code"].dropna())
    percent = set(indicators.loc[indicators["unit_of_measure"].astype(str).str.startswith("%"), "indicator_code"])
    schema = pa.DataFrameSchema({
        "indicator_code": pa.Column(str, pa.Check.isin(sorted(codes))),
        "result": pa.Column(float, pa.Check.ge(0), nullable=True),
        "estimate": pa.Column(float, pa.Check.ge(0), nullable=True),
        "is_percent": pa.Column(bool),
    }, checks=[pa.Check(lambda df: ~df["is_percent"] | df["result"].isna() | (df["result"] <= 100), name="pct<=100")])
    paths = [line.strip() for line in open(file_list, encoding="utf-8") if line.strip()]
    frames, bad = [], 0
    for path in paths:
        sheet = pd.read_excel(path, sheet_name=0, header=None, engine="openpyxl")
        header_rows = sheet.index[sheet.apply(lambda row: row.astype(str).str.strip().eq("Mã chỉ tiêu").any(), axis=1)]
        if len(header_rows) == 0:
            bad += 1
            continue
        header = sheet.loc[header_rows[0]].astype(str).str.strip()
        code_col = header[header == "Mã chỉ tiêu"].index[0]
        result_col = header[header.str.startswith("Thực hiện đến")].index[0]
        estimate_col = header[header.str.startswith("Ước thực hiện")].index[0]
        body = sheet.loc[header_rows[0] + 1:]
        body = body[body[code_col].isin(codes)]
        frame = pd.DataFrame({
            "indicator_code": body[code_col].astype(str),
            "result": pd.to_numeric(body[result_col].map(to_float), errors="coerce").astype(float),
            "estimate": pd.to_numeric(body[estimate_col].map(to_float), errors="coerce").astype(float),
            "is_percent": body[code_col].isin(percent),
        })
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors:
            bad += 1
        frame.insert(0, "file", path.rsplit("/", 1)[-1])
        frames.append(frame)
    pd.concat(frames, ignore_index=True).to_csv(out_csv, index=False, encoding="utf-8-sig")
    print(f"{len(paths)} files, {bad} with schema errors", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
