#!/usr/bin/python3
"""Run SigmaHQ's regression cases through ward, by hand (not in make check).

usage: tests/bench/sigma_regression.py SIGMA_CHECKOUT [WARDD] [--winlogbeat]

For every regression_data/**/info.yml: find the rule it names (by id, in
rules*/), turn each event of its JSON file (evtx_dump's Event.System /
Event.EventData shape) into the shape a Windows shipper sends (NXLog's
flat one, or with --winlogbeat Winlogbeat's nested winlog.event_data),
and run `wardd rules test RULE EVENTS`.  Prints the cases that did not
match and the share that did.
"""
import json, os, subprocess, sys, tempfile
import yaml

def attrs(x):
    return x.get("#attributes", {}) if isinstance(x, dict) else {}

def flat(ev, winlogbeat):
    e = ev.get("Event", ev)
    sysd = e.get("System", {})
    data = {}
    for part in ("EventData", "UserData"):
        d = e.get(part)
        if isinstance(d, dict):
            for k, v in d.items():
                if k == "#attributes":
                    continue
                if part == "UserData" and isinstance(v, dict):
                    # UserData holds one element named by the provider
                    data.update({kk: vv for kk, vv in v.items()
                                 if kk != "#attributes"})
                    continue
                data[k] = v
    eid = sysd.get("EventID")
    if isinstance(eid, dict):
        eid = eid.get("#text")
    provider = attrs(sysd.get("Provider")).get("Name")
    t = attrs(sysd.get("TimeCreated")).get("SystemTime")
    if winlogbeat:
        return {"@timestamp": t, "host": {"name": sysd.get("Computer")},
                "winlog": {"event_id": eid, "channel": sysd.get("Channel"),
                           "provider_name": provider,
                           "computer_name": sysd.get("Computer"),
                           "event_data": data}}
    out = {"EventTime": t, "Hostname": sysd.get("Computer"), "EventID": eid,
           "Channel": sysd.get("Channel"), "SourceName": provider}
    for k, v in data.items():
        out.setdefault(k, v)
    return out

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    wlb = "--winlogbeat" in sys.argv
    root = args[0]
    wardd = args[1] if len(args) > 1 else "bin/wardd"
    rules = {}
    for d in ("rules", "rules-emerging-threats", "rules-threat-hunting",
              "deprecated", "unsupported"):
        for dp, _, fs in os.walk(os.path.join(root, d)):
            for f in fs:
                if f.endswith(".yml"):
                    p = os.path.join(dp, f)
                    try:
                        with open(p) as fh:
                            for doc in yaml.safe_load_all(fh):
                                if isinstance(doc, dict) and "id" in doc:
                                    rules[doc["id"]] = p
                    except Exception:
                        pass
    total = ok = 0
    failed = []
    tmp = tempfile.mkdtemp()
    for dp, _, fs in os.walk(os.path.join(root, "regression_data")):
        if "info.yml" not in fs:
            continue
        info = yaml.safe_load(open(os.path.join(dp, "info.yml")))
        for meta in info.get("rule_metadata", []):
            rule = rules.get(meta.get("id"))
            for t in info.get("regression_tests_info", []):
                if t.get("type") != "evtx":
                    continue
                js = os.path.join(root, os.path.splitext(t["path"])[0] + ".json")
                if not os.path.exists(js):
                    continue
                total += 1
                if rule is None:
                    failed.append((dp, "rule not found"))
                    continue
                text = open(js).read().strip()
                evs, i, dec = [], 0, json.JSONDecoder()
                while i < len(text):     # one or more documents, pretty
                    v, i = dec.raw_decode(text, i)
                    evs.extend(v if isinstance(v, list) else [v])
                    while i < len(text) and text[i].isspace():
                        i += 1
                nd = os.path.join(tmp, "ev.ndjson")
                with open(nd, "w") as fh:
                    for ev in evs:
                        fh.write(json.dumps(flat(ev, wlb)) + "\n")
                r = subprocess.run([wardd, "rules", "test", rule, nd],
                                   capture_output=True, text=True)
                if r.returncode == 0:
                    ok += 1
                else:
                    failed.append((rule, r.stderr.strip().splitlines()[-1:]))
    for f in failed:
        print("no match:", f[0], f[1])
    print(f"{ok} of {total} regression cases match their rule "
          f"({100.0 * ok / max(total, 1):.1f} %)")

main()
