#!/usr/bin/python3
# A stand-in for python3 that ignores the worker program and speaks broken
# protocol on fd 3, to test the server side's defences. FAKE_MODE picks how.
import os
import struct
import time


def read_exact(n):
    buf = b""
    while len(buf) < n:
        chunk = os.read(3, n - len(buf))
        if not chunk:
            os._exit(0)
        buf += chunk
    return buf


def frame(kind, payload=b"", size=None):
    os.write(3, struct.pack(">cQ", kind, len(payload) if size is None else size) + payload)


mode = os.environ.get("FAKE_MODE", "")
if mode == "silent_load":
    time.sleep(60)
frame(b"R")
kind, size = struct.unpack(">cQ", read_exact(9))
read_exact(size)
if mode == "oversized":
    frame(b"O", size=1 << 40)
elif mode == "unknown_kind":
    frame(b"Z", b"?")
elif mode == "truncated":
    frame(b"O", b"0123456789", size=100)
    os._exit(0)
elif mode == "close_socket":
    os.close(3)
time.sleep(60)
