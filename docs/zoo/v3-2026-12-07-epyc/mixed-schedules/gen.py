# Schedules of the mixed-schedule experiment (session 23): lambda-uniform DPM-Solver grids from
# t = 1 to t = 1e-3 (the gate's grids), each model evaluation given to `early` below LAMBDA_SWITCH
# and to `late` from it on.
import sys
LO, HI = -4.777640469375063, 4.557714932729898
LAMBDA_SWITCH = 0.8235727718879131  # a step boundary of DPM-Solver-2 at 10 and at 20 NFE
def dpm_orders(order, nfe):
    if order == 2:
        return [2] * (nfe // 2) if nfe % 2 == 0 else [2] * (nfe // 2) + [1]
    # DPM-Solver's singlestep recipe for order 3 (Lu et al. 2022, appendix): K = nfe // 3 + 1
    k = nfe // 3 + 1
    if nfe % 3 == 0:
        return [3] * (k - 2) + [2, 1]
    if nfe % 3 == 1:
        return [3] * (k - 1) + [1]
    return [3] * (k - 1) + [2]
RATIOS = {1: [0.0], 2: [0.0, 0.5], 3: [0.0, 1/3, 2/3]}
def schedule(order, nfe, early, late):
    ords = dpm_orders(order, nfe)
    k = len(ords)
    pts = [LO + (HI - LO) * i / k for i in range(k)] + [HI]
    steps = []
    for i, o in enumerate(ords):
        a, b = pts[i], pts[i + 1]
        ms = [early if a + r * (b - a) < LAMBDA_SWITCH - 1e-9 else late for r in RATIOS[o]]
        steps.append(f'        (from: {a!r}, to: {b!r}, order: {o}, models: [{", ".join(chr(34)+m+chr(34) for m in ms)}]),')
    return "(\n    format_version: 1,\n    solver: DpmSolver,\n    steps: [\n" + "\n".join(steps) + "\n    ],\n)\n"
for order in (2, 3):
    for nfe in (10, 20):
        for name, (e, l) in {"xs": ("xs", "xs"), "s": ("s", "s"), "m": ("m", "m"),
                             "xs_m": ("xs", "m"), "s_m": ("s", "m"),
                             "m_xs": ("m", "xs"), "m_s": ("m", "s")}.items():
            open(f"schedules/{name}-o{order}-{nfe}.ron", "w").write(schedule(order, nfe, e, l))
