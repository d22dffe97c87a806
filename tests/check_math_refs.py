#!/usr/bin/env python3
"""Every citation of docs/MATH.md names a section that exists, and nothing points outside the repository.

Usage: check_math_refs.py REPO_ROOT

docs/MATH.md is the project's mathematical reference; code, docs and program output cite it as
"docs/MATH.md §N" (or §N.M, or a range §N-M). The sections are its headings "## N. Title" and
"### N.M Title". This test reads every text file of the repository (git's list when there is one, else a walk
that skips build trees), checks each cited section against those headings, checks the bare "§N" cross-references
inside MATH.md itself, and fails on the old form "MATH.md section N" and on any reference to files a clone does
not have (the notes, style guide and developers' guide kept beside the repository while it was written). It fails as well when it finds no citation at
all, so it cannot pass by reading nothing.
"""
import os
import re
import subprocess
import sys

TEXT_SUFFIXES = ('.cpp', '.hpp', '.h', '.md', '.py', '.sh', '.build', '.txt', '.json', '.in', '')
SKIP_DIRS = {'.git', 'runs', '__pycache__', 'subprojects'}

NUMBER = r'\d+(?:\.\d+)?'
CITATION = re.compile(r'MATH\.md\)?\s*((?:§\s*' + NUMBER + r'(?:\s*[-–]\s*§?' + NUMBER + r')?(?:\s*,\s*)?)+)')
SECTION = re.compile(r'§\s*(' + NUMBER + r')(?:\s*[-–]\s*§?(' + NUMBER + r'))?')
OLD_FORM = re.compile(r'MATH\.md sections? \d')
# Spelled in pieces, so that a plain grep of the repository for these names finds only real references.
OUTSIDE = re.compile('|'.join([r'\.\./' + 'shared', 'shared/' + 'MATH', 'STYLE' + r'\.md', 'DEVELOPERS' + r'\.md']))
HEADING = re.compile(r'^(#{2,3})\s+(' + NUMBER + r')\.?\s+\S')


def repository_files(root):
    try:
        out = subprocess.run(['git', '-C', root, 'ls-files', '-z'], capture_output=True, check=True).stdout
        names = [n for n in out.decode('utf-8').split('\0') if n]
        if names:
            return names
    except (OSError, subprocess.CalledProcessError):
        pass
    names = []
    for base, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith('build')]
        names += [os.path.relpath(os.path.join(base, f), root) for f in files]
    return names


def sections_of(math_md):
    found = set()
    with open(math_md, encoding='utf-8') as f:
        for line in f:
            m = HEADING.match(line)
            if m:
                found.add(m.group(2))
    return found


def cited(text):
    """Section numbers cited in one match of CITATION (ranges of whole sections expanded)."""
    out = []
    for first, last in SECTION.findall(text):
        if last and '.' not in first and '.' not in last:
            out += [str(k) for k in range(int(first), int(last) + 1)]
        else:
            out += [first] + ([last] if last else [])
    return out


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
    math_md = os.path.join(root, 'docs', 'MATH.md')
    if not os.path.isfile(math_md):
        print(f'docs/MATH.md is missing under {root}')
        return 1
    sections = sections_of(math_md)
    if not sections:
        print('docs/MATH.md has no numbered headings ("## N. Title")')
        return 1
    problems, citations = [], 0
    this_file = os.path.relpath(os.path.abspath(__file__), root)
    for name in repository_files(root):
        if not name.endswith(TEXT_SUFFIXES) or name == this_file:
            continue
        path = os.path.join(root, name)
        try:
            with open(path, encoding='utf-8') as f:
                lines = f.read().split('\n')
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(lines, 1):
            where = f'{name}:{number}'
            if OUTSIDE.search(line):
                problems.append(f'{where}: points outside the repository: {line.strip()}')
            if OLD_FORM.search(line):
                problems.append(f'{where}: cite as "docs/MATH.md §N", not "{OLD_FORM.search(line).group(0)}"')
            matches = [m.group(1) for m in CITATION.finditer(line)]
            if name == 'docs/MATH.md':  # its own cross-references are bare: "see §5"
                matches = [m.group(0) for m in SECTION.finditer(line)]
            for m in matches:
                for s in cited(m):
                    citations += 1
                    if s not in sections:
                        problems.append(f'{where}: cites §{s}, which docs/MATH.md does not have')
    for p in problems:
        print(p)
    print(f'{citations} citations checked against {len(sections)} sections of docs/MATH.md; {len(problems)} problems')
    if citations == 0:
        print('no citation found: is the repository root right?')
        return 1
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
