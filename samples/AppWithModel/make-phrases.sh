#!/usr/bin/env bash
# Makes the sample's phrase data for CTC recognition (issue 20): the synthetic smart-home phrase corpus in
# samples/AppWithModel/phrases (100 phrases of tools/corpus/phrases.txt, 29 voices x 2 variants, one clip each:
# 5 800 clips; see docs/data.md "Phrase corpus (CTC)"). Deterministic and cached: a second run with the same
# settings returns at once. Needs espeak-ng, flite and sox (sudo .ci/run installs them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../../tools/corpus/cached-corpus.sh" --generator make-phrases.sh --out "$here/phrases" --variants 2 --reps 1 --seed 1 --snr-min 5 --snr-max 20 "$@"
