#!/usr/bin/env python3
"""Check the references of docs/TOUR.md against the code, so that the tour cannot rot.

Usage: check_tour.py PATH/TO/docs/TOUR.md

The repository root is the parent of the folder that holds TOUR.md. A code reference has exactly one form:
a Markdown link whose text is the path in backticks, optionally followed by ' · ' and one or more symbols in
backticks separated by ', ', and whose target is the same path relative to docs/:

    [`fact/analysis.cpp` · `analyze`, `Gram`](../fact/analysis.cpp)
    [`autodiff/kernels/`](../autodiff/kernels/)                    (a folder: no symbols)

Checks, each failure printed on one line:
  - the text and the target name the same path, and it exists (a folder ends in '/' in both);
  - every symbol occurs in that file as a whole identifier (for `A::b`, both A and b do);
  - there is no other kind of relative link, and no bare code span naming a repository path outside a
    reference (one form only, so that this script sees every reference);
  - every example named as `./run example NAME` is built by examples/meson.build (and has its NAME.cpp);
    every teaching example of that file's list is named, first mentioned in the list's order.
Exits 1 if anything failed, else prints how many references, symbols and example names it checked.
"""
import os
import re
import sys

LINK = re.compile(r'\[([^\[\]]*)\]\(([^)\s]*)\)')
REFERENCE_TEXT = re.compile(r'^`([^`]+)`(?:\s*·\s*(.+))?$')
SYMBOL_LIST = re.compile(r'^`[^`]+`(?:, `[^`]+`)*$')
IDENTIFIER = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*$')
CODE_SPAN = re.compile(r'`([^`\n]+)`')
EXAMPLE = re.compile(r'\./run example ([A-Za-z0-9_]+)')
SOURCE_EXTENSIONS = ('.cpp', '.hpp', '.py', '.build', '.sh', '.txt', '.md', '.csv')


def without_fences(text):
    """The text with fenced code blocks blanked (line count kept): links are not links there."""
    out, fenced = [], False
    for line in text.split('\n'):
        if line.lstrip().startswith('```'):
            fenced = not fenced
            out.append('')
        else:
            out.append('' if fenced else line)
    return '\n'.join(out)


def line_of(text, pos):
    return text.count('\n', 0, pos) + 1


def example_list(root, failures):
    """(teaching examples in order, every example name built) from examples/meson.build."""
    path = os.path.join(root, 'examples', 'meson.build')
    try:
        with open(path, encoding='utf-8') as f:
            src = f.read()
    except OSError as e:
        failures.append(f'examples/meson.build: cannot read it ({e.strerror})')
        return [], set()
    src = '\n'.join(line.split('#', 1)[0] for line in src.split('\n'))  # drop comments
    teaching = re.findall(r"'([A-Za-z0-9_]+)'\s*:", src)                # keys of the dictionary of examples
    others = re.findall(r"executable\(\s*'([A-Za-z0-9_]+)'", src)       # executables named outright
    if not teaching:
        failures.append('examples/meson.build: found no dictionary of examples (\'name\': dependency); '
                        'check_tour.py must learn its new form')
    return teaching, set(teaching) | set(others)


def check_symbol(root, rel, symbol, where, failures):
    if not IDENTIFIER.match(symbol):
        failures.append(f'{where}: `{symbol}` is not an identifier (expected name or A::name)')
        return
    with open(os.path.join(root, rel), encoding='utf-8', errors='replace') as f:
        src = f.read()
    for part in symbol.split('::'):
        if not re.search(r'(?<![A-Za-z0-9_])' + re.escape(part) + r'(?![A-Za-z0-9_])', src):
            failures.append(f'{where}: symbol `{symbol}`: `{part}` does not occur in {rel}')


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().split('\n\n')[1], file=sys.stderr)
        return 2
    tour = os.path.abspath(argv[1])
    docs = os.path.dirname(tour)
    root = os.path.dirname(docs)
    name = os.path.relpath(tour, root)
    try:
        with open(tour, encoding='utf-8') as f:
            text = f.read()
    except OSError as e:
        print(f'check_tour: cannot read {argv[1]}: {e.strerror}', file=sys.stderr)
        return 2

    failures = []
    prose = without_fences(text)
    references = symbols = 0

    for m in LINK.finditer(prose):
        label, target = m.group(1), m.group(2)
        where = f'{name}:{line_of(prose, m.start())}'
        if re.match(r'^(https?|mailto):', target):
            continue  # an outside address: not a code reference
        ref = REFERENCE_TEXT.match(label)
        if not ref:
            failures.append(f'{where}: link [{label}]({target}): a relative link must be a code reference, '
                            '[`path` · `symbol`](../path)')
            continue
        references += 1
        rel, symbol_text = ref.group(1), ref.group(2)
        if '#' in target:
            failures.append(f'{where}: {target}: no anchors (line numbers rot); name a symbol instead')
            continue
        expected = os.path.normpath(os.path.join(root, rel))
        actual = os.path.normpath(os.path.join(docs, target))
        if expected != actual or rel.endswith('/') != target.endswith('/'):
            failures.append(f'{where}: the text names `{rel}` but the link goes to {target} '
                            f'(expected ../{rel})')
            continue
        if not (expected + os.sep).startswith(root + os.sep) or expected == root:
            failures.append(f'{where}: `{rel}` is outside the repository')
            continue
        is_dir = rel.endswith('/')
        if is_dir and not os.path.isdir(expected):
            failures.append(f'{where}: folder `{rel}` does not exist')
            continue
        if not is_dir and not os.path.isfile(expected):
            failures.append(f'{where}: file `{rel}` does not exist')
            continue
        if symbol_text is None:
            continue
        if is_dir:
            failures.append(f'{where}: folder `{rel}` takes no symbols')
            continue
        if not SYMBOL_LIST.match(symbol_text.strip()):
            failures.append(f'{where}: symbols "{symbol_text}": expected `a`, `b`, ...')
            continue
        for symbol in re.findall(r'`([^`]+)`', symbol_text):
            symbols += 1
            check_symbol(root, rel, symbol, where, failures)

    # One form only: a code span that names a repository path must be inside a reference.
    outside = LINK.sub(lambda m: ' ' * len(m.group(0)), prose)
    for m in CODE_SPAN.finditer(outside):
        span = m.group(1).strip()
        if '/' not in span or ' ' in span or span.startswith(('/', '..', 'build', '$', '~')):
            continue
        if re.match(r'^\./run\b', span) or span.startswith('./'):
            continue
        path = os.path.join(root, span)
        if os.path.exists(path) or span.endswith(SOURCE_EXTENSIONS):
            failures.append(f'{name}:{line_of(outside, m.start())}: bare path `{span}`: write it as a '
                            f'reference, [`{span}`](../{span})')

    # Examples: built, all named, in the order of examples/meson.build.
    teaching, built = example_list(root, failures)
    mentioned = []
    for m in EXAMPLE.finditer(text):
        example = m.group(1)
        if example.isupper():
            continue  # a placeholder such as NAME
        where = f'{name}:{line_of(text, m.start())}'
        if example not in built:
            failures.append(f'{where}: example `{example}` is not built by examples/meson.build '
                            f'(its examples: {", ".join(sorted(built))})')
        elif not os.path.isfile(os.path.join(root, 'examples', example + '.cpp')):
            failures.append(f'{where}: example `{example}` has no examples/{example}.cpp')
        if example not in mentioned:
            mentioned.append(example)
    missing = [e for e in teaching if e not in mentioned]
    if missing:
        failures.append(f'{name}: the tour never names the teaching example(s) {", ".join(missing)} '
                        '(as ./run example NAME)')
    order = [e for e in mentioned if e in teaching]
    if not missing and order != teaching:
        failures.append(f'{name}: examples first named in the order {", ".join(order)}; '
                        f'examples/meson.build lists them as {", ".join(teaching)}')

    for failure in failures:
        print(failure)
    if failures:
        print(f'check_tour: {len(failures)} failure(s) in {name}')
        return 1
    print(f'check_tour: {name}: {references} code references ({symbols} symbols) and '
          f'{len(mentioned)} example names checked, all found')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
