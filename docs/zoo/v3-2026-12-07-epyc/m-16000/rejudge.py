# Re-judges a gate's more-steps comparisons with the family-wise (Bonferroni) interval of the
# full v3 gate (5 members x 2 solvers x 2 spaces x 2 NFE steps = 40 comparisons), so that a gate
# of one member at 10 and 20 NFE (4 comparisons, a narrower interval) is judged as the full gate
# judges it. The bootstrap standard error is recovered from the gate's own family-wise interval.
# usage: python3 rejudge.py GATE_DIR...
import json, sys
from statistics import NormalDist
q = lambda k: NormalDist().inv_cdf(1 - 0.05 / (2 * k))
for path in sys.argv[1:]:
    steps = json.load(open(path + '/summary.json'))['report']['steps']
    z_own, z_full = q(len(steps)), q(40)
    for s in steps:
        f = s['family']; se = (f['hi'] - f['diff']) / z_own
        lo, hi = f['diff'] - z_full * se, f['diff'] + z_full * se
        v = 'better' if hi < 0 else 'worse' if lo > 0 else 'tie'
        print(f"{path} {s['member']} {s['solver']} {s['space']} {s['from']}->{s['to']}: "
              f"{f['diff']:+.2f} [{lo:+.2f}, {hi:+.2f}] {v} (own family: {s['verdict']})")
