# A manifest of committed members and trained arms under new names, for denoise-error.
# usage: python3 mkarms.py OUT.ron NAME=MEMBER[:ARM] ...  (no ARM: the committed member)
import re, sys
src = open('/work/main/configs/zoo/fashion-mnist-v3.ron').read()
head = src[:src.index('members: [') + len('members: [')]
head = head.replace('"../../assets/', '"../../../assets/')
def member_block(member):
    i = src.index(f'        (\n            name: "{member}",')
    j = src.index('\n        ),\n', i) + len('\n        ),\n')
    return src[i:j]
out = [head, '\n']
for spec in sys.argv[2:]:
    name, rest = spec.split('=')
    member, _, arm = rest.partition(':')
    b = member_block(member).replace(f'name: "{member}"', f'name: "{name}"')
    b = b.replace('"../../assets/', '"../../../assets/')
    if arm:
        arm_ron = open(f'/work/main/runs/v3/s28/{arm}/zoo.ron').read()
        sha = re.search(r'sha256: Some\("([0-9a-f]+)"\)', arm_ron).group(1)
        b = re.sub(r'checkpoint: "[^"]+"', f'checkpoint: "{arm}/{member}.safetensors"', b)
        b = re.sub(r'sha256: Some\("[0-9a-f]+"\)', f'sha256: Some("{sha}")', b)
    out.append(b)
out.append('    ],\n)\n')
open(sys.argv[1], 'w').write(''.join(out))
