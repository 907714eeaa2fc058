"""Small hand-made frames with known answers, shared by the analysis tests (3 provinces, 6
items, 4 figures)."""

import pandas as pd


def items() -> pd.DataFrame:
    rows = [
        ("b-01", "2020-09", "上海", "ftz", "supply;environment", 1),
        ("b-02", "2020-09", "上海;江苏", "ftz;industrial", "demand", 0),
        ("b-03", "2020-09", "江苏", "industrial", "supply", 1),
        ("b-04", "2021-03", "江苏", "digital_government", "environment", 0),
        ("b-05", "2021-03", "浙江", "digital_government", "supply;demand", 0),
        ("b-06", "2021-03", "浙江", "digital_government;industrial", "", 0),
    ]
    cols = ["item_id", "issue_date", "provinces", "domains", "instrument_sides",
            "is_national_first"]
    return pd.DataFrame(rows, columns=cols)


def figures() -> pd.DataFrame:
    rows = [("b-01-f01", "b-01", "money", 5e8, "yuan", 2025),
            ("b-02-f01", "b-02", "money", 1e6, "yuan", None),
            ("b-03-f01", "b-03", "count", 100.0, "家", 2022),
            ("b-05-f01", "b-05", "percent", 30.0, "%", 2023)]
    frame = pd.DataFrame(rows, columns=["figure_id", "item_id", "kind", "value", "unit",
                                        "target_year"])
    frame["target_year"] = frame["target_year"].astype("Int64")
    return frame
