# Counts FD and KID verdicts of a gate's baseline changes (95% paired intervals for KID, family-wise for FD).
import json, sys
for path in sys.argv[1:]:
    d = json.load(open(path + '/summary.json'))
    fd = {'better': 0, 'worse': 0, 'tie': 0}; kid = dict(fd); agree = 0; n = 0
    for c in d['baseline']['changes']:
        f = c['family']; k = c['kid']
        vf = 'better' if f['hi'] < 0 else 'worse' if f['lo'] > 0 else 'tie'
        vk = 'better' if k['hi'] < 0 else 'worse' if k['lo'] > 0 else 'tie'
        fd[vf] += 1; kid[vk] += 1; agree += vf == vk; n += 1
    print(path, 'FD', fd, 'KID', kid, f'agree {agree}/{n}')
