#!/usr/bin/python3
"""A side-by-side for bench_rules -d: Zircolite's approach, reproduced.

usage: tests/bench/sqlite_sigma.py EVENTS.ndjson RULEDIR...

Zircolite flattens every event into one row of an in-memory SQLite table
(a column per field) and runs each Sigma rule as one SQL query over it.
This script does the same with Debian's python3 and sqlite3: it converts
the rules it can (selections of field: value(s) with contains,
startswith, endswith, all; conditions with and, or, not, 1 of, all of,
them) to SQL, skips the rest, and prints how many it ran, the time to
load the events and to run the queries, and events/s.  Written for this
comparison; no Zircolite code.
"""
import json, os, re, sqlite3, sys, time
import yaml

def like(v, mods):
    s = str(v).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    s = s.replace("*", "%").replace("?", "_")
    if "contains" in mods:
        return "%" + s + "%"
    if "startswith" in mods:
        return s + "%"
    if "endswith" in mods:
        return "%" + s
    return s

class Skip(Exception):
    pass

def item(cols, key, val):
    f, *mods = key.split("|")
    for m in mods:
        if m not in ("contains", "startswith", "endswith", "all"):
            raise Skip(m)
    if f not in cols:
        cols[f] = len(cols)
    c = '"%s"' % f.replace('"', '')
    vals = val if isinstance(val, list) else [val]
    if any(isinstance(v, (dict, list)) for v in vals):
        raise Skip("nested")
    parts = []
    for v in vals:
        if v is None:
            parts.append(c + " IS NULL")
        else:
            parts.append("%s LIKE '%s' ESCAPE '\\'" % (c, like(v, mods).replace("'", "''")))
    return "(" + (" AND " if "all" in mods else " OR ").join(parts) + ")"

def selection(cols, sel):
    if isinstance(sel, dict):
        return "(" + " AND ".join(item(cols, k, v) for k, v in sel.items()) + ")"
    if isinstance(sel, list) and all(isinstance(x, dict) for x in sel):
        return "(" + " OR ".join(selection(cols, x) for x in sel) + ")"
    raise Skip("keywords")

def condition(text, sels):
    toks = re.findall(r"\(|\)|[\w*]+", text)
    out = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t in ("1", "all") and i + 2 < len(toks) and toks[i + 1] == "of":
            pat = toks[i + 2]
            names = [n for n in sels if (pat == "them" and not n.startswith("_")) or
                     re.fullmatch(pat.replace("*", ".*"), n)]
            if not names:
                raise Skip("of")
            out.append("(" + (" OR " if t == "1" else " AND ").join(sels[n] for n in names) + ")")
            i += 3
            continue
        if t in ("and", "or", "not"):
            out.append(t.upper())
        elif t in ("(", ")"):
            out.append(t)
        elif t in sels:
            out.append(sels[t])
        else:
            raise Skip("condition")
        i += 1
    return " ".join(out)

def flat(ev, prefix="", out=None):
    out = {} if out is None else out
    for k, v in ev.items():
        if isinstance(v, dict):
            flat(v, prefix if k == "details" else prefix + k + ".", out)
        elif not isinstance(v, list):
            out[prefix + k] = v
    return out

def lk(e, n):
    v = e.get(n)
    if v is None:
        for k in e:
            if k.lower() == n.lower():
                return e[k]
    return v

def main():
    events, dirs = sys.argv[1], sys.argv[2:]
    cols, queries, skipped = {}, [], 0
    for d in dirs:
        for dp, _, fs in os.walk(d):
            for f in fs:
                if not f.endswith(".yml"):
                    continue
                try:
                    doc = yaml.safe_load(open(os.path.join(dp, f)))
                    det = doc["detection"]
                    sels = {k: selection(cols, v) for k, v in det.items()
                            if k not in ("condition", "timeframe")}
                    cond = det["condition"]
                    if isinstance(cond, list):
                        raise Skip("list")
                    queries.append(condition(cond, sels))
                except (Skip, KeyError, TypeError, AttributeError, yaml.YAMLError):
                    skipped += 1
    evs = [flat(json.loads(l)) for l in open(events)]
    for e in evs:
        for k in e:
            if k not in cols:
                cols[k] = len(cols)
    names, low = [], set()
    for n in cols:        # SQLite's column names ignore case
        if n.lower().replace('"', '') not in low:
            low.add(n.lower().replace('"', ''))
            names.append(n)
    t0 = time.time()
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE events (%s)" % ", ".join('"%s" TEXT COLLATE NOCASE' % n.replace('"', '') for n in names))
    db.executemany("INSERT INTO events VALUES (%s)" % ", ".join("?" * len(names)),
                   ([None if lk(e, n) is None else str(lk(e, n)) for n in names] for e in evs))
    db.commit()
    t1 = time.time()
    hits = 0
    ran = 0
    for q in queries:
        try:
            hits += db.execute("SELECT count(*) FROM events WHERE " + q).fetchone()[0]
            ran += 1
        except sqlite3.OperationalError:
            skipped += 1      # too deep for SQLite's parser

    t2 = time.time()
    print(f"sqlite (Zircolite's approach): {ran} rules as SQL, "
          f"{skipped} skipped; {len(evs)} events loaded in {t1 - t0:.1f} s; "
          f"queries {t2 - t1:.1f} s, {hits} matches; "
          f"{len(evs) / (t2 - t1):.0f} events/s (queries only), "
          f"{len(evs) / (t2 - t0):.0f} events/s (with the load)")

main()
