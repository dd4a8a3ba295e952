#!/usr/bin/env bash
# Reproduces model/phrase-dense.onnx: a randomly initialised CRNN (Conv over time -> GRU -> per-frame classifier, CTC
# over 29 tokens) over 149x40 log-mel features, trained by Compress itself (task: ctc, pruning.method: none) on the
# synthetic phrase corpus in ../phrases. Needs the corpus (samples/AppWithModel/make-phrases.sh) and a built tool:
#   samples/AppWithModel/model/make-phrase-baseline.sh [path/to/dotnet-compress] [--set finetune.epochs=N ...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tool="${1:-$here/../../../src/Compress.Tool/bin/Release/net10.0/dotnet-compress}"
shift || true
mkdir -p "$here/../obj/phrase-baseline"
"$tool" new-model crnn-ctc --vocab 29 --frames 149 --bins 40 --channels 128 --hidden 128 --bidirectional --seed 1 -o "$here/../obj/phrase-baseline/phrase-random.onnx"
"$tool" run "$here/train-phrase-baseline.yaml" --no-progress "$@"
