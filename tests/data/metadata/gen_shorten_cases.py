#!/usr/bin/python3
"""Writes shorten_cases.json: inputs and Python's textwrap.shorten() results.

The C++ ShortenText() test reads this file; Python is the oracle. Run from this
directory: /usr/bin/python3 gen_shorten_cases.py
"""
import json
import random
import textwrap

random.seed(7)
parts = ["model", "v2", "score", "runtime", "ab", "x", "data-set", "my-model", "a--b",
         "ünï", "file name", "9-9", "ab-c", "abc-d-e", "--", "f.onnx", "-lead", "trail-"]
cases = [
    ("a.onnx, runtime.yaml, score.py", 20),
    (", ".join(f"file-name-{i:03d}.onnx" for i in range(30)), 255),
    (", ".join(f"f{i:03d}.bin" for i in range(40)), 255),
    ("x" * 300, 255),
    ("short.txt", 255),
    ("  many   spaces\there  ", 255),
    ("ab-cd" * 70, 255),
    ("model-v2.onnx, ab--cd.txt, " * 12, 255),
    ("d\u00e9" * 200, 255),
    ("", 255),
    ("a" * 250 + " " + "b" * 10, 255),
    ("a" * 252 + " b", 255),
    ("word " * 60, 255),
]
for _ in range(60):
    n = random.randint(1, 60)
    files = []
    for _ in range(n):
        name = "".join(random.choice(parts) + random.choice(["", "-", "_", ".", "--"])
                       for _ in range(random.randint(1, 4)))
        files.append(name + random.choice([".onnx", ".py", ".json", ""]))
    width = random.choice([255, 255, 40, 30, 12])
    cases.append((", ".join(files), width))

out = [{"text": t, "width": w, "expected": textwrap.shorten(t, w, placeholder="...")}
       for t, w in cases]
with open("shorten_cases.json", "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
