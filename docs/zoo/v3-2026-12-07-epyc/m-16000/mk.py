# Writes gate manifests from configs/zoo/fashion-mnist-v3.ron: keep only the named members, and
# replace members' weights by trained arms.
# usage: python3 mk.py OUT.ron KEEP[,KEEP...] [member=ARM ...]   (ARM: a folder under runs/v3/s29
# holding zoo.ron and MEMBER.safetensors; OUT is written in runs/v3/s29/gate/)
import re, sys
src = open('/work/main/configs/zoo/fashion-mnist-v3.ron').read()
src = src.replace('"../../assets/', '"../../../../assets/')
keep = sys.argv[2].split(',')
for spec in sys.argv[3:]:
    member, arm = spec.split('=')
    arm_ron = open(f'/work/main/runs/v3/s29/{arm}/zoo.ron').read()
    i = arm_ron.index(f'name: "{member}",')
    sha = re.search(r'sha256: Some\("([0-9a-f]+)"\)', arm_ron[i:]).group(1)
    i = src.index(f'name: "{member}",')
    j = src.index('sha256:', i)
    k = src.index('\n', j)
    c = src.index('checkpoint:', i)
    ce = src.index('\n', c)
    src = src[:c] + f'checkpoint: "../{arm}/{member}.safetensors",' + src[ce:j] + f'sha256: Some("{sha}"),' + src[k:]
# drop members not kept: each member block starts at "        (\n            name:" and ends at "        ),\n"
head, rest = src.split('    members: [\n', 1)
body, tail = rest.split('\n    ],\n', 1)
blocks = re.split(r'(?m)^(?=        \(\n            name: )', body)
kept = [b for b in blocks if b.strip() and re.search(r'name: "([^"]+)"', b).group(1) in keep]
out = head + '    members: [\n' + ''.join(kept).rstrip('\n') + '\n    ],\n' + tail
open(sys.argv[1], 'w').write(out)
