#!/usr/bin/env bash
# Session 16: round-2 scores of xs and s into a fresh cache (the machine's runs/ were lost), then
# the round-3 gate of the committed zoo with --baseline-zoo round 2.
set -euo pipefail
cd /work/main
X=/tmp/xtask-s16
L=docs/zoo/v3-2026-12-05/profile/latency-b64.ron
C=runs/v3/gate-cache-s16
date
$X zoo-gate --zoo runs/v3/s16/xs-s-round2.ron --latency $L --score-cache $C --out runs/v3/s16/gate-round2-xs-s
date
$X zoo-gate --zoo configs/zoo/fashion-mnist-v3.ron --latency $L --score-cache $C --baseline-zoo runs/v3/s16/v3-round2.ron --out runs/v3/s16/gate-round3
date
echo chain-done
