#!/usr/bin/env bash
# Fake dotnet-compress for the Compress.MSBuild tests: follows the tool contract without training anything.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
echo "$*" >> "$here/invocations.log"
if [ "${1:-}" != run ]; then echo "compress: error CMP9999: the fake tool only knows 'run'" >&2; exit 1; fi
spec="$2"; shift 2
out=""; manifest=""; report=""
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out="$2"; shift 2;;
    --manifest) manifest="$2"; shift 2;;
    --report) report="$2"; shift 2;;
    *) shift;;
  esac
done
dir="$(dirname "$spec")"
echo "fake compress: $spec"
if grep -q 'gate: impossible' "$spec"; then
  echo "compress.yaml(12,3): error CMP5001: accuracy 0.871 is below min 0.900 (baseline 0.934, sparsity 0.80)" >&2
  exit 2
fi
if grep -q 'gate: silent' "$spec"; then
  echo "training..."
  exit 2
fi
if grep -q 'gate: abort' "$spec"; then
  echo "training..."
  echo "native: fatal" >&2
  kill -ABRT $$
fi
if grep -q 'unknown_key' "$spec"; then
  echo "compress.yaml(3,1): error CMP1002: unknown key 'unknown_key' in compress.yaml" >&2
  exit 1
fi
if grep -q 'warn: yes' "$spec"; then
  echo "compress.yaml(5,2): warning CMP4002: fine-tuning stopped early" >&2
fi
labels='"yes","no","on \"quoted\""'
if [ -f "$dir/labels.txt" ]; then labels="$(sed 's/.*/"&"/' "$dir/labels.txt" | paste -sd, -)"; fi
compression=none filter=none source="$dir/model.onnx"
if grep -q 'compression: gzip' "$spec"; then compression=gzip; fi
# A filtered model: the test put the CMPF container of model.onnx next to it (the fake tool cannot encode one).
if grep -q 'compression: gzip-shuffle' "$spec"; then filter=shuffle source="$dir/model.cmpf"; fi
mkdir -p "$report"
echo '{}' > "$report/report.json"
if [ "$compression" = gzip ]; then gzip -c -n "$source" > "$out.tmp"; else cp "$source" "$out.tmp"; fi
inputs=""
for f in "$spec" "$dir/model.onnx" "$dir"/data/*/*.wav; do
  [ -f "$f" ] || continue
  inputs="$inputs{\"path\":\"$f\",\"sha256\":\"$(sha256sum "$f" | cut -d' ' -f1)\"},"
done
inputs="${inputs%,}"
cat > "$manifest.tmp" <<JSON
{"schemaVersion":1,"toolVersion":"0.0.0-fake","output":"$(basename "$out")","compression":"$compression","filter":"$filter","labels":[$labels],"sampleRate":16000,"inputName":"pcm","inputShape":[-1,16000],"outputName":"logits","inputs":[$inputs],"sha256":"$(sha256sum "$out.tmp" | cut -d' ' -f1)"}
JSON
mv "$out.tmp" "$out"
mv "$manifest.tmp" "$manifest"
