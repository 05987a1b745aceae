# Schedules of the xl-mix experiment (session 31), written before any of them was sampled:
# the gate's lambda-uniform DPM-Solver grids from t = 1 to t = 1e-3, each model evaluation given
# to `early` below LAMBDA_SWITCH and to `late` from it on (session 23's construction,
# ../../v3-2026-12-07-epyc/mixed-schedules/gen.py), with xl, the best member alone, at the
# clean end. Also prints each schedule's cost from v3's latency table (batch 64, EPYC).
import os, re, sys
LO, HI = -4.777640469375063, 4.557714932729898
LAMBDA_SWITCH = 0.8235727718879131  # a step boundary of DPM-Solver-2 at 10 and at 20 NFE
# usage: python3 gen.py OUT_DIR LATENCY.ron [frontier] (a `cargo xtask profile` table of v3);
# `frontier` writes xl alone at 6 and 8 NFE instead (run-frontier.sh), `frontier-l` l alone at
# 8 and 10 NFE (run-frontier-l.sh)
table = open(sys.argv[2]).read()
MS = {m: float(v) for m, v in re.findall(r'"(\w+)": ([0-9.]+)', table.split("per_nfe_ms:")[1].split("}")[0])}
SWITCH_MS = float(re.search(r"switch_ms: ([0-9.eE+-]+)", table).group(1))
SAMPLER_MS = float(re.search(r"sampler_ms_per_nfe: ([0-9.eE+-]+)", table).group(1))
RATIOS = {1: [0.0], 2: [0.0, 0.5], 3: [0.0, 1 / 3, 2 / 3]}

def dpm_orders(order, nfe):
    if order == 2:
        return [2] * (nfe // 2) if nfe % 2 == 0 else [2] * (nfe // 2) + [1]
    k = nfe // 3 + 1  # DPM-Solver's singlestep recipe for order 3 (Lu et al. 2022, appendix)
    if nfe % 3 == 0:
        return [3] * (k - 2) + [2, 1]
    if nfe % 3 == 1:
        return [3] * (k - 1) + [1]
    return [3] * (k - 1) + [2]

def schedule(order, nfe, early, late):
    ords = dpm_orders(order, nfe)
    pts = [LO + (HI - LO) * i / len(ords) for i in range(len(ords))] + [HI]
    steps, models = [], []
    for i, o in enumerate(ords):
        a, b = pts[i], pts[i + 1]
        ms = [early if a + r * (b - a) < LAMBDA_SWITCH - 1e-9 else late for r in RATIOS[o]]
        models += ms
        quoted = ", ".join(f'"{m}"' for m in ms)
        steps.append(f"        (from: {a!r}, to: {b!r}, order: {o}, models: [{quoted}]),")
    cost = sum(MS[m] for m in models) + SAMPLER_MS * len(models)
    cost += SWITCH_MS * sum(1 for x, y in zip(models, models[1:]) if x != y)
    text = "(\n    format_version: 1,\n    solver: DpmSolver,\n    steps: [\n" + "\n".join(steps) + "\n    ],\n)\n"
    return text, cost, models.count(early) if early != late else len(models)

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
print("| schedule | ms per 64 images | evaluations by the early member |")
print("|---|---:|---:|")
frontier = sys.argv[3] if len(sys.argv) > 3 else None
alone = {"frontier": ("xl", (6, 8)), "frontier-l": ("l", (8, 10))}.get(frontier)
for order in (2, 3):
    for nfe in alone[1] if alone else (10, 20):
        for name, (e, l) in {alone[0]: (alone[0], alone[0])}.items() if alone else {"xl": ("xl", "xl"), "m": ("m", "m"),
                             "m_xl": ("m", "xl"), "s_xl": ("s", "xl")}.items():
            text, cost, n_early = schedule(order, nfe, e, l)
            open(f"{out}/{name}-o{order}-{nfe}.ron", "w").write(text)
            print(f"| {name}-o{order}-{nfe} | {cost:.0f} | {n_early if e != l else '-'} of {nfe} |")
