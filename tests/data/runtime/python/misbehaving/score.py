# A score.py that misbehaves on request, to test that each failure costs only
# its own request. The JSON payload {"op": ...} picks the behaviour.
import os
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.realpath(__file__))


def load_model():
    print("loading the model (stdout noise at load time)")
    # A test makes replacement workers slow to load by creating this file.
    slow = os.path.join(HERE, "slow_load")
    if os.path.exists(slow):
        with open(slow) as f:
            time.sleep(float(f.read()))
    return {"factor": 2}


def predict(data, model=load_model()):
    if isinstance(data, bytes):
        return {"type": type(data).__name__, "size": len(data), "hex": data.hex()}
    op = data.get("op") if isinstance(data, dict) else None
    if op == "double":
        return {"prediction": [x * model["factor"] for x in data["values"]]}
    if op == "raise":
        raise ValueError("bad value " + str(data.get("value")))
    if op == "exit":
        os._exit(3)
    if op == "garbage_then_exit":
        os.write(2, b"bad utf8 \xff\xfe\xc3( and a NUL \x00 here\n")
        os._exit(4)
    if op == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    if op == "sleep":
        time.sleep(data["seconds"])
        return {"slept": data["seconds"]}
    if op == "spawn_and_hang":
        child = subprocess.Popen(["/bin/sleep", "60"])
        with open(data["pid_file"], "w") as f:
            f.write(str(child.pid))
        time.sleep(60)
    if op == "exit_soon":
        def end():
            time.sleep(data["seconds"])
            os._exit(5)
        threading.Thread(target=end, daemon=True).start()
        return {"exiting": True}
    if op == "huge":
        return {"x": "a" * data["size"]}
    if op == "print":
        print("noise on stdout " * 50)
        print("noise on stderr", file=sys.stderr)
        os.write(1, b"\x00\x00\x00\x00\x00\x00\x00\x00\x05raw bytes on fd 1\n")
        return {"prediction": "after noise"}
    if op == "object":
        return {"prediction": object()}
    if op == "numpy":
        import numpy as np
        return {"arr": np.arange(3), "f": np.float64(1.5), "i": np.int64(7),
                "m": np.array([[1.0, 2.5], [3.0, 4.0]], dtype=np.float32)}
    if op == "env":
        return {name: os.environ.get(name) for name in data["names"]}
    if op == "process":
        time.sleep(data.get("sleep", 0))
        fds = {}
        for name in os.listdir("/proc/self/fd"):
            try:
                fds[name] = os.readlink("/proc/self/fd/" + name)
            except OSError:
                pass  # the descriptor listdir itself used, closed by now
        return {"cwd": os.getcwd(), "pid": os.getpid(), "fds": fds,
                "pgid": os.getpgid(0)}
    return {"echo": data}
