#!/usr/bin/env bash
# Runs make-corpus.sh through a machine-wide cache of finished corpora (like NuGet's package folder), so another
# clone, worktree or CI run on this machine gets an identical corpus as hard links in seconds instead of
# re-synthesising ~20k clips:
#
#   tools/corpus/cached-corpus.sh --out DIR [make-corpus.sh arguments]
#
# The cache entry is named by the SHA-256 of make-corpus.sh and the arguments. make-corpus.sh itself still decides
# what is up to date (DIR/corpus.key against its settings): a restored corpus that did not match would simply be
# rebuilt. An entry is put in place complete (renamed), so an entry with its corpus.key is whole. The cache lives in
# ${COMPRESS_CACHE_HOME:-~/.cache/compress}/corpus (delete it at any time); COMPRESS_CORPUS_CACHE=off bypasses it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
generator="$here/make-corpus.sh"

out=""
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) shift ;;
  esac
done
if [ -z "$out" ] || [ "${COMPRESS_CORPUS_CACHE:-on}" = off ]; then
  exec "$generator" "${args[@]}"
fi

# The arguments without --out name the corpus; where it is written does not.
named=()
set -- "${args[@]}"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) shift 2 ;;
    *) named+=("$1"); shift ;;
  esac
done
id="$( { sha256sum "$generator" | cut -d' ' -f1; printf '%s\n' "${named[@]+"${named[@]}"}"; } | sha256sum | cut -c1-32)"
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
