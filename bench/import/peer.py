"""The Python peer of `make bench-import`: pandas + openpyxl reading the same
generated team list (all sheets, as a team member opening it would), timed.

Usage: peer.py WORKBOOK
"""
import sys
import time

import pandas as pd

path = sys.argv[1]
t = time.perf_counter()
sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl", dtype=str)
read_s = time.perf_counter() - t
data = sheets["客户名单"]
t = time.perf_counter()
# The peer's dedup: exact repeats of company + phone (what a spreadsheet user does).
unique = data.dropna(subset=["客户名称"]).drop_duplicates(subset=["客户名称", "手机号码"])
dedup_s = time.perf_counter() - t
print(f"peer pandas {pd.__version__} + openpyxl: read {len(data)} rows in {read_s:.2f} s; "
      f"exact-duplicate drop {dedup_s:.2f} s ({len(unique)} rows left)")
