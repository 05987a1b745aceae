#!/usr/bin/env bash
# Session 17: batch-scaling ablation. v3's xs from scratch for 256k images at batch 128
# (2000 steps) and at batch 1024 (train-zoo --batch 1024: 250 steps, lr x sqrt 8), then the
# gate of each, the second against the first (--baseline-zoo: paired, same noise).
set -euo pipefail
cd /work/main
X=/tmp/xtask-s17b
A=runs/ablations/batch
L=docs/zoo/v3-2026-12-06-epyc/profile/latency-b64.ron
C=$A/gate-cache
date
$X train-zoo --zoo $A/b128/zoo.ron --runs $A/b128/runs --steps 2000
date
$X train-zoo --zoo $A/b1024/zoo.ron --runs $A/b1024/runs --batch 1024 --steps 250
date
$X zoo-gate --zoo $A/b128/zoo.ron --latency $L --score-cache $C --out $A/gate-b128
date
$X zoo-gate --zoo $A/b1024/zoo.ron --latency $L --score-cache $C --baseline-zoo $A/b128/zoo.ron --out $A/gate-b1024
date
echo chain-done
