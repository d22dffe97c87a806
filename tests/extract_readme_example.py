"""Cut a C++ example out of README.md (the ```cpp block after the line '<!-- example NAME -->') so the
build compiles and runs it exactly as the README shows it. Usage: extract_readme_example.py README OUT NAME"""
import sys

readme, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
lines = open(readme, encoding='utf-8').read().splitlines()
start = lines.index('<!-- example %s -->' % name)
begin = lines.index('```cpp', start) + 1
end = lines.index('```', begin)
with open(out, 'w', encoding='utf-8') as f:
    f.write('\n'.join(lines[begin:end]) + '\n')
