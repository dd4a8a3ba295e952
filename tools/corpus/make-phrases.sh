#!/usr/bin/env bash
# Builds a synthetic smart-home phrase corpus for CTC recognition with espeak-ng, flite and sox (see docs/data.md).
#
#   tools/corpus/make-phrases.sh --out DIR [--small] [--seed N] [--snr-min DB] [--snr-max DB] [--reps N] [--variants N] [--jobs N]
#
# Every phrase of tools/corpus/phrases.txt (--small: every 9th, 12 phrases, and 12 speakers) is spoken --reps times
# (default 1) by every speaker: espeak-ng voices (English and accented) with up to --variants variants each
# (default all 13, chosen by a seeded hash) and flite voices in up to --variants pitch bands (all 5). Output:
# DIR/clips/<speaker>/<phrase-slug>_<n>.wav (16 kHz mono 16-bit, at most 3.0 s: silence trimmed, seeded 0-300 ms lead-in
# and 100-300 ms tail, phrases over 2.9 s sped up to fit), DIR/manifest.csv ("path,transcript,split", sorted by path;
# split train|validation|test, voice-disjoint: a base voice with all its variants is in one split only),
# DIR/speakers.tsv (speaker, base voice, split), DIR/_background_noise_/*.wav and DIR/corpus.key. Validation and
# test clips have background noise mixed in at a seeded SNR in [snr-min, snr-max] dB (default 5..20); training clips
# are clean. Deterministic; parallel over --jobs (default: all cores); a second run with the same settings, script
# and phrases.txt finds DIR/corpus.key and does nothing.
set -euo pipefail

script="$(readlink -f "$0")"
phrases_file="$(dirname "$script")/phrases.txt"

# ---------------------------------------------------------------------------------------------------------------
# Worker mode: one clip per call (run in parallel by xargs).
# ---------------------------------------------------------------------------------------------------------------

# sox without dither, with repeatable random numbers, quiet about harmless warnings.
sx() { sox -V1 -D -R "$@"; }

# hash KEY -> a deterministic unsigned integer (cksum is POSIX, identical everywhere).
hash() { printf '%s' "$1" | cksum | cut -d' ' -f1; }

# Synthesises one phrase. Arguments: engine voice variant phrase output rate pitch stretch cents gain lead tail
# (lead and tail in permille of their ranges). The random choices were drawn by the caller (see draw below). Few
# processes a clip (this is most of the corpus's time): temporary files beside the output, no subshells.
synth_clip() {
  local engine="$1" voice="$2" variant="$3" phrase="$4" out="$5" rate="$6" pitch="$7" stretch="$8" cents="$9" gain="${10}" lead="${11}" tail="${12}"
  local raw="$out.raw.wav" trim="$out.trim.wav"
  if [ "$engine" = espeak ]; then
    espeak-ng -v "$voice+$variant" -s "$rate" -p "$pitch" -w "$raw" "$phrase"
  else
    flite -voice "$voice" --setf duration_stretch="$stretch" -t "$phrase" -o "$raw"
  fi
  # Trim leading/trailing silence (pauses inside the phrase stay), 16 kHz mono, pitch shift, peak-normalise to a
  # seeded level.
  sx "$raw" -r 16000 -c 1 -b 16 "$trim" silence 1 0.01 0.3% reverse silence 1 0.01 0.3% reverse pitch "$cents" norm "$gain"
  local ms=$(( $(soxi -s "$trim") / 16 )) factor lead_s tail_s
  if [ "$ms" -lt 100 ]; then
    echo "make-phrases: '$phrase' by $engine $voice $variant is silent after trimming ($ms ms)" >&2
    exit 1
  fi
  if [ "$ms" -gt 2900 ]; then
    printf -v factor '%d.%03d' $((ms / 2900)) $((ms * 1000 / 2900 % 1000))
    sx "$trim" "$raw" tempo -s "$factor"
    mv "$raw" "$trim"
    ms=$(( $(soxi -s "$trim") / 16 ))
  fi
  local lead_ms=$(( 300 * lead / 1000 )) tail_ms=$(( 100 + 200 * tail / 1000 ))
  [ "$lead_ms" -le $((2900 - ms)) ] || lead_ms=$(( ms < 2900 ? 2900 - ms : 0 ))
  printf -v lead_s '%d.%03d' $((lead_ms / 1000)) $((lead_ms % 1000))
  printf -v tail_s '%d.%03d' $((tail_ms / 1000)) $((tail_ms % 1000))
  # Variable length: lead-in + speech + tail, never over 3.0 s (the loader pads).
  sx "$trim" "$out" pad "$lead_s" "$tail_s" trim 0 3
  rm -f "$raw" "$trim"
}

# Mixes background noise into a clip of any length. Arguments: clip noise-file offset-permille snr-db.
add_noise() {
  local clip="$1" noise="$2" offset="$3" snr="$4"
  local tmp; tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  local samples length; samples=$(soxi -s "$noise"); length=$(soxi -s "$clip")
  local start=$(( (samples - length - 160) * offset / 1000 ))
  sx "$noise" "$tmp/seg.wav" trim "${start}s" "${length}s"
  local rms_clip rms_noise
  rms_clip=$(sox "$clip" -n stat 2>&1 | awk '/RMS +amplitude/ { print $3 }')
  rms_noise=$(sox "$tmp/seg.wav" -n stat 2>&1 | awk '/RMS +amplitude/ { print $3 }')
  local scale; scale=$(awk -v c="$rms_clip" -v n="$rms_noise" -v s="$snr" 'BEGIN { printf "%.6f", (n > 0) ? c / (n * 10 ^ (s / 20)) : 0 }')
  # -v scales each input; the mix is not divided down (sox -m would halve both otherwise).
  sx -m -v 1 "$clip" -v "$scale" "$tmp/seg.wav" -b 16 "$tmp/mixed.wav" trim 0 "${length}s"
  # Keep the level legal: if the sum reached full scale, scale the mix down to -1 dBFS.
  local peak; peak=$(sox "$tmp/mixed.wav" -n stat 2>&1 | awk '/Maximum amplitude/ { m = $3 } /Minimum amplitude/ { n = -$3 } END { print (m > n) ? m : n }')
  if awk -v p="$peak" 'BEGIN { exit !(p > 0.99) }'; then
    sx "$tmp/mixed.wav" "$clip" gain -n -1
  else
    mv "$tmp/mixed.wav" "$clip"
  fi
}

# Turns job lines "... key" into worker arguments with seeded random values: one awk for all jobs.
# draw synth: fields engine voice variant phrase out key (the phrase with _ for spaces) -> adds rate pitch stretch
# cents gain lead tail; the phrase goes out with spaces and apostrophes backslash-escaped for xargs.
# draw noise: fields clip key -> adds noise-file offset snr (noise files and the SNR range are awk variables).
draw() {
  LC_ALL=C awk -v mode="$1" -v noise_list="${2:-}" -v snr_min="${3:-0}" -v snr_max="${4:-0}" '
    BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i; nn = split(noise_list, noises, " ") }
    function h(text,   i, x) { x = 7; for (i = 1; i <= length(text); i++) x = (x * 131 + ord[substr(text, i, 1)]) % 2147483629; return x }
    function u(text) { return (h(text) % 100003) / 100002 }
    mode == "synth" {
      k = $6
      rate = 120 + int(u(k ":rate") * 80.999); pitch = 15 + int(u(k ":pitch") * 70.999)
      stretch = sprintf("%.3f", 0.8 + u(k ":stretch") * 0.55)
      cents = ($1 == "flite") ? int(($3 - 3) * 150 + (u(k ":cents") - 0.5) * 120) : 0
      gain = sprintf("%.2f", -1 - u(k ":gain") * 13)
      phrase = $4; gsub(/'\''/, "\\'\''", phrase); gsub(/_/, "\\ ", phrase)
      print "synth", $1, $2, $3, phrase, $5, rate, pitch, stretch, cents, gain, int(u(k ":lead") * 1000), int(u(k ":tail") * 1000)
    }
    mode == "noise" {
      k = $2
      print "noise", $1, noises[1 + h(k ":type") % nn], int(u(k ":offset") * 1000), sprintf("%.2f", snr_min + u(k ":snr") * (snr_max - snr_min))
    }'
}

if [ "${1:-}" = --job ]; then
  shift
  case "$1" in
    synth) shift; synth_clip "$@" ;;
    noise) shift; add_noise "$@" ;;
    *) echo "make-phrases: unknown job $1" >&2; exit 2 ;;
  esac
  exit 0
fi

# ---------------------------------------------------------------------------------------------------------------
# Settings.
# ---------------------------------------------------------------------------------------------------------------
out="" small=0 seed=1 snr_min=5 snr_max=20 reps=1 variants=13 jobs="$(nproc)"
usage() { sed -n '2,15p' "$script" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --small) small=1; shift ;;
    --seed) seed="$2"; shift 2 ;;
    --snr-min) snr_min="$2"; shift 2 ;;
    --snr-max) snr_max="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --variants) variants="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "make-phrases: unknown argument '$1'" >&2; usage 2 ;;
  esac
done
[ -n "$out" ] || { echo "make-phrases: --out DIR is required" >&2; exit 2; }
[[ $reps =~ ^[1-9][0-9]*$ && $variants =~ ^[1-9][0-9]*$ ]] || { echo "make-phrases: --reps and --variants take a positive number" >&2; exit 2; }

missing=()
for tool in espeak-ng flite sox soxi; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "make-phrases: error: missing ${missing[*]}; install with: sudo apt-get install espeak-ng flite sox" >&2
  exit 1
fi

# Phrases: one a line, '#' comments and blank lines skipped; lower-case letters, apostrophes and single spaces only.
phrases=()
while IFS= read -r line || [ -n "$line" ]; do
  [[ -z $line || $line == \#* ]] && continue
  if ! [[ $line =~ ^[a-z\']+(\ [a-z\']+)*$ ]]; then
    echo "make-phrases: $phrases_file: '$line' is not lower-case words of letters and apostrophes" >&2
    exit 1
  fi
  phrases+=("$line")
done < "$phrases_file"
# English espeak voices, espeak voices of other languages (accented English), flite voices (as make-corpus.sh).
espeak_voices=(en-us en-gb en-gb-scotland en-gb-x-rp en-gb-x-gbclan en-gb-x-gbcwmd en-029 en-us-nyc
  de nl fr-fr es it pt sv pl af id ro hu cs da nb fi)
espeak_variants=(m1 m2 m3 m4 m5 m6 m7 f1 f2 f3 f4 f5 klatt)
flite_voices=(kal kal16 awb rms slt)
flite_variants=(1 2 3 4 5)
noise_seconds=30 babble_voices=8
if [ "$small" = 1 ]; then
  all=("${phrases[@]}") phrases=()
  for ((i = 0; i < ${#all[@]}; i += 9)); do phrases+=("${all[$i]}"); done
  espeak_voices=(en-us en-gb-x-rp de fr-fr)
  espeak_variants=(m3 f2)
  flite_voices=(kal slt)
  flite_variants=(2 4)
  noise_seconds=4 babble_voices=3
fi
declare -A slug_of phrase_of
for p in "${phrases[@]}"; do
  s="${p//\'/}"; s="${s// /-}"
  if [ -n "${phrase_of[$s]:-}" ]; then
    echo "make-phrases: '$p' and '${phrase_of[$s]}' have the same file name $s (duplicate phrase?)" >&2
    exit 1
  fi
  slug_of[$p]="$s" phrase_of[$s]="$p"
done

settings="v1 small=$small seed=$seed snr=$snr_min..$snr_max reps=$reps variants=$variants phrases=$(sha256sum < "$phrases_file" | cut -c1-16) espeak=${espeak_voices[*]}|${espeak_variants[*]} flite=${flite_voices[*]}|${flite_variants[*]} noise=$noise_seconds babble=$babble_voices script=$(sha256sum "$script" | cut -c1-16)"
key="$(printf '%s' "$settings" | sha256sum | cut -c1-32)"
if [ -f "$out/corpus.key" ] && [ "$(cat "$out/corpus.key")" = "$key" ]; then
  echo "make-phrases: $out is up to date ($key)"
  exit 0
fi

work="$out.tmp.$$"
rm -rf "$work"
mkdir -p "$work/_background_noise_" "$work/clips"
trap 'rm -rf "$work"' EXIT
start=$SECONDS

# ---------------------------------------------------------------------------------------------------------------
# Speakers and voice-disjoint splits: base voices are shuffled by a seeded hash within each group (English espeak,
# other espeak, flite) and dealt round-robin, 1 in 10 to validation and 1 in 10 to test (at least one each).
# ---------------------------------------------------------------------------------------------------------------
declare -A split_of
assign() {
  local group=("$@") n=${#group[@]} i=0
  local sorted; sorted=$(for v in "${group[@]}"; do printf '%s %s\n' "$(hash "$seed:split:$v")" "$v"; done | sort -n | cut -d' ' -f2)
  local every=$(( n >= 10 ? 10 : n ))
  for v in $sorted; do
    case $(( i % every )) in
      0) split_of[$v]=validation ;;
      1) split_of[$v]=test ;;
      *) split_of[$v]=train ;;
    esac
    i=$((i + 1))
  done
}
english=() other=() flites=()
for v in "${espeak_voices[@]}"; do
  if [[ $v == en* ]]; then english+=("espeak-$v"); else other+=("espeak-$v"); fi
done
# flite's kal16 is its kal diphone voice at 16 kHz, the same speaker: one base voice with kal (make-corpus.sh keeps
# them apart), so the two are never on both sides of a split.
flite_base() { if [ "$1" = kal16 ]; then echo flite-kal; else echo "flite-$1"; fi; }
for v in "${flite_voices[@]}"; do
  b=$(flite_base "$v")
  [[ " ${flites[*]-} " == *" $b "* ]] || flites+=("$b")
done
if [ "$small" = 1 ]; then
  assign "${english[@]}" "${other[@]}" "${flites[@]}"
else
  assign "${english[@]}"; assign "${other[@]}"; assign "${flites[@]}"
fi

# pick VOICE VARIANTS...: the first --variants of the variants in a seeded order for this voice (all when fewer).
pick() {
  local voice="$1"; shift
  for x in "$@"; do printf '%s %s\n' "$(hash "$seed:variant:$voice:$x")" "$x"; done | sort -n | head -n "$variants" | cut -d' ' -f2
}
speakers=()  # "engine voice variant base speakerid"
for v in "${espeak_voices[@]}"; do
  for x in $(pick "espeak-$v" "${espeak_variants[@]}"); do speakers+=("espeak $v $x espeak-$v e$(hash "espeak:$v:$x" | cut -c1-8)"); done
done
for v in "${flite_voices[@]}"; do
  for x in $(pick "flite-$v" "${flite_variants[@]}"); do speakers+=("flite $v $x $(flite_base "$v") f$(hash "flite:$v:$x" | cut -c1-8)"); done
done

printf 'speaker\tvoice\tsplit\n' > "$work/speakers.tsv"
jobs_file="$work/jobs.txt"
: > "$jobs_file"
for s in "${speakers[@]}"; do
  read -r engine voice variant base id <<<"$s"
  printf '%s\t%s+%s/%s\t%s\n' "$id" "$engine" "$voice" "$variant" "${split_of[$base]}" >> "$work/speakers.tsv"
  mkdir -p "$work/clips/$id"
  for p in "${phrases[@]}"; do
    for ((r = 0; r < reps; r++)); do
      printf '%s %s %s %s %s %s\n' "$engine" "$voice" "$variant" "${p// /_}" "$work/clips/$id/${slug_of[$p]}_$r.wav" "$seed:$id:${slug_of[$p]}:$r" >> "$jobs_file"
    done
  done
done
clips=$(wc -l < "$jobs_file")
echo "make-phrases: synthesising $clips clips of ${#phrases[@]} phrases by ${#speakers[@]} speakers on $jobs cores"
draw synth < "$jobs_file" | xargs -P "$jobs" -L 1 "$script" --job

# ---------------------------------------------------------------------------------------------------------------
# Background noise (as make-corpus.sh): coloured noise, mains hum, a fan, music-like tones, and babble of training
# voices (here their phrases).
# ---------------------------------------------------------------------------------------------------------------
bg="$work/_background_noise_"
n="$noise_seconds"
sx -n -r 16000 -c 1 -b 16 "$bg/white_noise.wav" synth "$n" whitenoise vol 0.3
sx -n -r 16000 -c 1 -b 16 "$bg/pink_noise.wav" synth "$n" pinknoise vol 0.4
sx -n -r 16000 -c 1 -b 16 "$bg/brown_noise.wav" synth "$n" brownnoise vol 0.5
sx -n -r 16000 -c 1 -b 16 "$bg/hum.wav" synth "$n" sine 50 sine mix 100 sine mix 150 square mix 50 vol 0.15 tremolo 0.3 20
sx -n -r 16000 -c 1 -b 16 "$bg/fan.wav" synth "$n" brownnoise synth pinknoise mix synth sine amod 0.5 60 lowpass 1200 vol 0.6 norm -6
notes=()
for ((i = 0; i < n * 2; i++)); do
  f=$(awk -v h="$(hash "$seed:note:$i")" 'BEGIN { split("220 247 262 294 330 349 392 440 494 523", s, " "); print s[1 + h % 10] }')
  sx -n -r 16000 -c 1 -b 16 "$work/note$i.wav" synth 0.5 sine "$f" sine mix "$(awk -v f="$f" 'BEGIN { print f * 1.5 }')" sine mix "$(awk -v f="$f" 'BEGIN { print f * 2 }')" fade 0.02 0.5 0.1 vol 0.3
  notes+=("$work/note$i.wav")
done
sx "${notes[@]}" "$bg/music.wav" trim 0 "$n"
rm -f "${notes[@]}"
# Babble: several streams of training-speaker phrases, each stream one speaker, summed.
streams=()
train_ids=$(awk -F'\t' 'NR > 1 && $3 == "train" { print $1 }' "$work/speakers.tsv")
i=0
for id in $train_ids; do
  [ "$i" -lt "$babble_voices" ] || break
  files=()
  for ((k = 0; k < n; k++)); do
    p=${phrases[$(( $(hash "$seed:babble:$id:$k") % ${#phrases[@]} ))]}
    files+=("$work/clips/$id/${slug_of[$p]}_0.wav")
  done
  sx "${files[@]}" "$work/stream$i.wav" trim "$(awk -v i="$i" 'BEGIN { print i * 0.37 }')" "$n" pad 0 1 trim 0 "$n"
  streams+=("$work/stream$i.wav")
  i=$((i + 1))
done
if [ "${#streams[@]}" -ge 2 ]; then
  sx -m "${streams[@]}" "$bg/babble.wav" norm -6
else
  cp "${streams[0]}" "$bg/babble.wav"
fi
rm -f "${streams[@]}"

# ---------------------------------------------------------------------------------------------------------------
# Manifest and noisy validation/test clips.
# ---------------------------------------------------------------------------------------------------------------
: > "$jobs_file"
rows="$work/rows.csv"
: > "$rows"
while IFS=$'\t' read -r id _ split; do
  for p in "${phrases[@]}"; do
    for ((r = 0; r < reps; r++)); do
      rel="clips/$id/${slug_of[$p]}_$r.wav"
      printf '%s,%s,%s\n' "$rel" "$p" "$split" >> "$rows"
      [ "$split" = train ] || printf '%s %s\n' "$work/$rel" "$seed:noise:$rel" >> "$jobs_file"
    done
  done
done < <(tail -n +2 "$work/speakers.tsv")
{ echo "path,transcript,split"; LC_ALL=C sort "$rows"; } > "$work/manifest.csv"
rm -f "$rows"
draw noise "$(echo "$bg"/*.wav)" "$snr_min" "$snr_max" < "$jobs_file" | xargs -P "$jobs" -L 1 "$script" --job
rm -f "$jobs_file"

echo "$key" > "$work/corpus.key"
echo "$settings" > "$work/corpus.settings"
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$work" "$out"
trap - EXIT
count() { awk -F, -v s="$1" '$3 == s' "$out/manifest.csv" | wc -l; }
echo "make-phrases: wrote $clips clips to $out in $((SECONDS - start)) s (train $(count train), validation $(count validation), test $(count test))"
