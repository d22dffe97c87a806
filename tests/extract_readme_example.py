"""Cut the C++ example out of README.md (the ```cpp block after the line '<!-- example -->') so the
build compiles and runs it exactly as the README shows it."""
import sys

readme, out = sys.argv[1], sys.argv[2]
lines = open(readme, encoding='utf-8').read().splitlines()
start = lines.index('<!-- example -->')
begin = lines.index('```cpp', start) + 1
end = lines.index('```', begin)
with open(out, 'w', encoding='utf-8') as f:
    f.write('\n'.join(lines[begin:end]) + '\n')
