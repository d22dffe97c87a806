#!/usr/bin/env python3
"""Run one command and record its peak resident memory (ru_maxrss of that child, from os.wait4).

Usage: memory.py --out FILE --name NAME [--log LOG] -- COMMAND [ARGS...]

Appends {"name", "command", "maxrss_kb", "seconds", "status", "log"} to the JSON list in FILE (created if
absent) and exits with the command's status. The command's output goes to LOG (default /dev/null).
Standard library only.
"""
import json
import os
import subprocess
import sys
import time


def main(argv):
    args = argv[1:]
    if "--" not in args:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    split = args.index("--")
    opts, command = args[:split], args[split + 1:]
    values = dict(zip(opts[::2], opts[1::2]))
    if "--out" not in values or "--name" not in values or not command:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    log = values.get("--log", os.devnull)
    start = time.monotonic()
    with open(log, "w") as out:
        try:
            child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        except OSError as e:
            print(f"memory.py: cannot run {command[0]}: {e}", file=sys.stderr)
            return 127
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    entry = {
        "name": values["--name"],
        "command": command,
        "maxrss_kb": usage.ru_maxrss,  # kilobytes on Linux
        "seconds": time.monotonic() - start,
        "status": child.returncode,
        "log": log,
    }
    path = values["--out"]
    entries = []
    if os.path.exists(path):
        with open(path) as f:
            entries = json.load(f)
    entries.append(entry)
    with open(path + ".tmp", "w") as f:
        json.dump(entries, f, indent=1)
    os.replace(path + ".tmp", path)
    return child.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
