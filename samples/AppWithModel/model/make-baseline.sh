#!/usr/bin/env bash
# Reproduces model/kws-dense.onnx: a randomly initialised 64-channel DS-CNN over 49x40 log-mel features, trained by
# Compress itself (pruning.method: none) on the synthetic corpus in ../data. Needs the corpus
# (samples/AppWithModel/make-data.sh) and a built tool:
#   samples/AppWithModel/model/make-baseline.sh [path/to/dotnet-compress]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tool="${1:-$here/../../../src/Compress.Tool/bin/Release/net10.0/dotnet-compress}"
mkdir -p "$here/../obj/baseline"
"$tool" new-model ds-cnn --classes 12 --frames 49 --bins 40 --channels 64 --blocks 4 --seed 1 -o "$here/../obj/baseline/kws-random.onnx"
"$tool" run "$here/train-baseline.yaml" --no-progress
