#!/usr/bin/env bash
# Session 17, second part: batch 1024 with the linear rule (lr x 8) for 256k images, and the
# sqrt-rule run continued to 512k images (500 steps), each gated against batch 128 at 256k.
set -euo pipefail
cd /work/main
X=/tmp/xtask-s17b
A=runs/ablations/batch
L=docs/zoo/v3-2026-12-06-epyc/profile/latency-b64.ron
C=$A/gate-cache
date
$X train-zoo --zoo $A/b1024-lin/zoo.ron --runs $A/b1024-lin/runs --batch 1024 --steps 250
date
$X zoo-gate --zoo $A/b1024-lin/zoo.ron --latency $L --score-cache $C --baseline-zoo $A/b128/zoo.ron --out $A/gate-b1024-lin
date
$X train-zoo --zoo $A/b1024/zoo.ron --runs $A/b1024/runs --batch 1024 --steps 500
date
$X zoo-gate --zoo $A/b1024/zoo.ron --latency $L --score-cache $C --baseline-zoo $A/b128/zoo.ron --out $A/gate-b1024-512k
date
echo chain-done
