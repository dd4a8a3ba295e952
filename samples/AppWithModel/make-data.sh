#!/usr/bin/env bash
# Makes the sample's data: the synthetic Speech-Commands-style corpus in samples/AppWithModel/data, with the
# settings the committed baseline (model/kws-dense.onnx) was trained on. Deterministic and cached: a second run
# with the same settings returns at once. Needs espeak-ng, flite and sox (sudo .ci/run installs them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../../tools/corpus/cached-corpus.sh" --out "$here/data" --reps 2 --seed 1 --snr-min 9 --snr-max 24 "$@"
