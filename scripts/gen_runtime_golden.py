#!/usr/bin/python3
"""Writes the runtime.yaml goldens with the real PyYAML, as ADS writes them.

For every tests/data/runtime_yaml/cases/<case>.json (the dict that ADS's
RuntimeInfo serializes, upper-case keys) this writes <out>/<case>.yaml with
ADS's exact call (ads/common/serializer.py, Serializable.to_yaml, note=""):

    "\n" + yaml.dump(value, Dumper=yaml.SafeDumper)

Usage: scripts/gen_runtime_golden.py [--out DIR]   (default: .../golden)
The C++ test (src/artifact/runtime_yaml_test.cc) renders each case and compares
bytes, and re-runs this script into a temp dir to check the committed goldens.
"""
import argparse
import json
import os
import sys

import yaml

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                    "runtime_yaml")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(DATA, "golden"))
    parser.add_argument("--cases", default=os.path.join(DATA, "cases"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    names = sorted(n for n in os.listdir(args.cases) if n.endswith(".json"))
    if not names:
        sys.exit("no cases found in " + args.cases)
    for name in names:
        with open(os.path.join(args.cases, name), encoding="utf-8") as f:
            value = json.load(f)
        text = "\n" + yaml.dump(value, Dumper=yaml.SafeDumper)
        out = os.path.join(args.out, name[:-len(".json")] + ".yaml")
        with open(out, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    print("wrote %d goldens to %s (PyYAML %s)" % (len(names), args.out, yaml.__version__))


if __name__ == "__main__":
    main()
