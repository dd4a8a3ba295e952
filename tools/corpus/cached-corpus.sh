#!/usr/bin/env bash
# Runs make-corpus.sh (or make-phrases.sh) through a machine-wide cache of finished corpora (like NuGet's package
# folder), so another clone, worktree or CI run on this machine gets an identical corpus as hard links in seconds
# instead of re-synthesising thousands of clips:
#
#   tools/corpus/cached-corpus.sh [--generator make-corpus.sh|make-phrases.sh] --out DIR [generator arguments]
#
# The cache entry is named by the SHA-256 of the generator script, its data files (make-phrases.sh: phrases.txt)
# and the arguments; for a generator other than make-corpus.sh also by its name (make-corpus.sh entries keep the
# names they had before there was a choice). The generator itself still decides what is up to date (DIR/corpus.key
# against its settings): a restored corpus that did not match would simply be rebuilt. An entry is put in place
# complete (renamed), so an entry with its corpus.key is whole. The cache lives in
# ${COMPRESS_CACHE_HOME:-~/.cache/compress}/corpus (delete it at any time); COMPRESS_CORPUS_CACHE=off bypasses it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

# --generator NAME (a script beside this one) is ours; everything else goes to the generator.
name=make-corpus.sh
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --generator) name="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
case "$name" in
  make-corpus.sh) inputs=() ;;
  make-phrases.sh) inputs=("$here/phrases.txt") ;;
  *) echo "cached-corpus: unknown generator '$name' (make-corpus.sh or make-phrases.sh)" >&2; exit 2 ;;
esac
generator="$here/$name"

out=""
set -- "${args[@]+"${args[@]}"}"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) shift ;;
  esac
done
if [ -z "$out" ] || [ "${COMPRESS_CORPUS_CACHE:-on}" = off ]; then
  exec "$generator" "${args[@]+"${args[@]}"}"
fi

# The arguments without --out name the corpus; where it is written does not.
named=()
set -- "${args[@]+"${args[@]}"}"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) shift 2 ;;
    *) named+=("$1"); shift ;;
  esac
done
# The generator's name and data files are hashed only for make-phrases.sh, so make-corpus.sh ids are unchanged.
id="$( {
  sha256sum "$generator" | cut -d' ' -f1
  if [ "$name" != make-corpus.sh ]; then
    printf 'generator=%s\n' "$name"
    for f in "${inputs[@]+"${inputs[@]}"}"; do sha256sum < "$f" | cut -d' ' -f1; done
  fi
  printf '%s\n' "${named[@]+"${named[@]}"}"
} | sha256sum | cut -c1-32)"
cache="${COMPRESS_CACHE_HOME:-${HOME:-/tmp}/.cache/compress}/corpus/$id"

# copy_tree FROM TO: hard links where the file system allows, else a copy.
copy_tree() { cp -al "$1" "$2" 2>/dev/null || { rm -rf "$2"; cp -a "$1" "$2"; }; }

if [ -f "$cache/corpus.key" ] && ! cmp -s "$cache/corpus.key" "$out/corpus.key"; then
  mkdir -p "$(dirname "$out")"
  rm -rf "$out.cache.$$"
  copy_tree "$cache" "$out.cache.$$"
  rm -rf "$out"
  mv "$out.cache.$$" "$out"
  echo "cached-corpus: $out restored from $cache"
fi

"$generator" "${args[@]}"

if [ ! -f "$cache/corpus.key" ] && [ -f "$out/corpus.key" ]; then
  if mkdir -p "$(dirname "$cache")" 2>/dev/null && copy_tree "$out" "$cache.tmp.$$" 2>/dev/null; then
    rm -rf "$cache"
    mv "$cache.tmp.$$" "$cache" 2>/dev/null || rm -rf "$cache.tmp.$$"
    echo "cached-corpus: kept a copy in $cache"
  else
    rm -rf "$cache.tmp.$$"
  fi
fi
