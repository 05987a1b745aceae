#!/bin/bash
# Here: packs the Fashion-MNIST training split (`cargo xtask data` puts it in data/; it is
# sha256-checked when loaded, so it travels whole) into .carry/data.tar.xz, once for every
# backend's bundle. About 21.6 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .carry
[ -f .carry/data.tar.xz ] && [ .carry/data.tar.xz -nt data/fashion-mnist/train-images-idx3-ubyte ] && exit 0
tar cJf .carry/data.tar.xz.tmp data/fashion-mnist/train-images-idx3-ubyte data/fashion-mnist/train-labels-idx1-ubyte
mv .carry/data.tar.xz.tmp .carry/data.tar.xz
ls -la .carry/data.tar.xz
