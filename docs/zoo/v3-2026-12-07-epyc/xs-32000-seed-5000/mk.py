# Writes gate manifests: v3 as committed (base.ron) and v3 with members replaced by trained arms.
# usage: python3 mk.py OUT.ron [member=ARM ...]   (ARM: a folder under runs/v3/s28 holding zoo.ron)
import re, sys
src = open('/work/main/configs/zoo/fashion-mnist-v3.ron').read()
src = src.replace('"../../assets/', '"../../../../assets/')
for spec in sys.argv[2:]:
    member, arm = spec.split('=')
    arm_ron = open(f'/work/main/runs/v3/s28/{arm}/zoo.ron').read()
    sha = re.search(r'sha256: Some\("([0-9a-f]+)"\)', arm_ron).group(1)
    i = src.index(f'name: "{member}",')
    j = src.index('sha256:', i)
    k = src.index('\n', j)
    c = src.index('checkpoint:', i)
    ce = src.index('\n', c)
    src = src[:c] + f'checkpoint: "../{arm}/{member}.safetensors",' + src[ce:j] + f'sha256: Some("{sha}"),' + src[k:]
open(sys.argv[1], 'w').write(src)
