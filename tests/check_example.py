#!/usr/bin/env python3
"""Run one example and check its output against examples/expect/NAME.txt, so the examples cannot rot.

Usage: check_example.py EXE EXPECT_FILE [--timeout SECONDS]

The example must exit 0 (it checks its own numbers and exits non-zero when one is off). Each non-blank,
non-# line of the expect file is one check on the example's standard output:

    match REGEX                      some line matches REGEX (Python re.search)
    number REGEX OP VALUE            the first match of REGEX (one capture group, a number) satisfies
                                     `captured OP VALUE`, OP one of < <= > >= ==
    count REGEX OP VALUE             the number of lines matching REGEX satisfies OP VALUE

The example runs in a fresh temporary directory (removed afterwards), so files it writes go nowhere.
The first failing check is printed with the output; the exit status is the number of failed checks.
"""
import operator
import re
import os
import subprocess
import sys
import tempfile

OPS = {'<': operator.lt, '<=': operator.le, '>': operator.gt, '>=': operator.ge, '==': operator.eq}


def parse(line):
    kind, _, rest = line.partition(' ')
    if kind == 'match':
        return kind, rest.strip(), None, None
    if kind in ('number', 'count'):
        regex, op, value = rest.rsplit(' ', 2)
        if op not in OPS:
            raise SystemExit(f'bad operator {op!r} in: {line}')
        return kind, regex.strip(), op, float(value)
    raise SystemExit(f'bad check (expected match, number or count): {line}')


def main():
    args = sys.argv[1:]
    timeout = 300.0
    if '--timeout' in args:
        i = args.index('--timeout')
        timeout = float(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        raise SystemExit(__doc__)
    exe, expect = args
    with open(expect, encoding='utf-8') as f:
        checks = [parse(l.strip()) for l in f if l.strip() and not l.lstrip().startswith('#')]
    if not checks:
        raise SystemExit(f'{expect}: no checks')
    with tempfile.TemporaryDirectory(prefix='example-') as cwd:
        proc = subprocess.run([os.path.abspath(exe)], capture_output=True, text=True, timeout=timeout, cwd=cwd)
    out = proc.stdout
    sys.stdout.write(out)
    sys.stdout.write(proc.stderr)
    failed = 0
    if proc.returncode != 0:
        print(f'FAIL: {exe} exited with status {proc.returncode}')
        failed += 1
    lines = out.splitlines()
    for kind, regex, op, value in checks:
        pattern = re.compile(regex)
        if kind == 'match':
            ok = any(pattern.search(l) for l in lines)
            what = f'no line matches {regex!r}'
        elif kind == 'count':
            n = sum(1 for l in lines if pattern.search(l))
            ok = OPS[op](n, value)
            what = f'{n} lines match {regex!r}, expected {op} {value:g}'
        else:
            m = next((pattern.search(l) for l in lines if pattern.search(l)), None)
            if m is None:
                ok, what = False, f'no line matches {regex!r}'
            else:
                got = float(m.group(1))
                ok = OPS[op](got, value)
                what = f'{regex!r} gave {got:g}, expected {op} {value:g}'
        if not ok:
            print(f'FAIL: {what}')
            failed += 1
        else:
            print(f'ok: {kind} {regex!r}' + (f' {op} {value:g}' if op else ''))
    return min(failed, 125)


if __name__ == '__main__':
    sys.exit(main())
