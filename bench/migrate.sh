#!/usr/bin/env bash
# Migration of a legacy tree into the store on one filesystem: `wan models migrate execute`
# (scan, sha256 of every candidate, hardlink into staging, sha256 of every byte placed, one rename,
# state) vs the peers `cp -al` (a hardlink copy: no verification at all) and `sha256sum` over the
# same files (the verification alone, which no honest migration can skip). The tree is sparse files
# (truncate -s) with a few random bytes at the start of each, so they are distinct and cost no disk.
# Reports wall times, bytes copied (target 0: all hardlinked, read from wan's --json) and the
# ratios. One run by default (20 GB is hashed twice by wan, once by sha256sum).
#
#   bench/migrate.sh [TOTAL_GB=20] [RUNS=1]
set -euo pipefail
source "$(dirname "$0")/common.sh"
total_gb=${1:-20}
runs=${2:-1}
need truncate:coreutils sha256sum:coreutils openssl:openssl bc:bc
build_wan

# The flat copy of the guide's "old way": six transformer shards, a text encoder, a VAE, a config.
legacy="$work/legacy/t2v-A14B"
total=$((total_gb * 1000000000))
shard=$(( (total - 1500000000 - 500000000) / 6 ))
specs=()
mkfile() { # PATH SIZE
  mkdir -p "$(dirname "$legacy/$1")"
  truncate -s "$2" "$legacy/$1"
  head -c 64 /dev/urandom | dd of="$legacy/$1" conv=notrunc status=none
}
for i in 1 2 3 4 5 6; do mkfile "high_noise_model/diffusion_pytorch_model-0000$i-of-00006.safetensors" "$shard"; done
mkfile "models_t5_umt5-xxl-enc-bf16.pth" 1500000000
mkfile "Wan2.1_VAE.pth" 500000000
printf '{"_class_name": "WanModel"}\n' > "$legacy/config.json"

# Peer 1: sha256sum over the same files (single stream, and two at once on this machine's cores).
mapfile -t files < <(cd "$legacy" && find . -type f | sed 's|^\./||' | sort)
bytes=$(cd "$legacy" && du -b --apparent-size -c "${files[@]}" | tail -1 | cut -f1)
t0=$(now); (cd "$legacy" && sha256sum "${files[@]}") > "$work/sums"; t1=$(now)
sum_time=$(calc "$t1 - $t0")
t0=$(now); (cd "$legacy" && printf '%s\0' "${files[@]}" | xargs -0 -n1 -P"$(nproc)" sha256sum > /dev/null); t1=$(now)
sum_par_time=$(calc "$t1 - $t0")
# coreutils sha256sum does not use the CPU's SHA extensions; OpenSSL (and the JVM's intrinsic) do
t0=$(now); (cd "$legacy" && printf '%s\0' "${files[@]}" | xargs -0 -n1 -P"$(nproc)" openssl dgst -sha256 > /dev/null); t1=$(now)
ossl_par_time=$(calc "$t1 - $t0")

{
  echo 'schema_version = 1'
  echo '[models."t2v-A14B@2.2.0"]'
  while read -r sha path; do
    echo '[[models."t2v-A14B@2.2.0".files]]'
    echo "path = \"$path\""
    echo "size = $(stat -c %s "$legacy/$path")"
    echo "sha256 = \"$sha\""
  done < "$work/sums"
  echo '[models."t2v-A14B@2.2.0".sources]'
  echo 'priority = ["hf://Wan-AI/Wan2.2-T2V-A14B"]'
} > "$work/models.toml"

wan_times=(); copied=(); cp_times=()
for _ in $(seq "$runs"); do
  rm -rf "$work/root" "$work/peer"; chmod -R u+w "$work/legacy"
  t0=$(now)
  # shellcheck disable=SC2086
  MODELS_ROOT="$work/root" WAN_MODELS_MANIFEST="$work/models.toml" HF_HUB_OFFLINE=1 \
    java ${WAN_JAVA_OPTS:-} -cp "$classpath" dev.wan.cli.WanCli models migrate execute "$work/legacy" --json \
    > "$work/wan.json" 2> "$work/wan.err" || { cat "$work/wan.json" "$work/wan.err" >&2; exit 1; }
  t1=$(now)
  wan_times+=("$(calc "$t1 - $t0")")
  copied+=("$(grep -o '"bytesCopied" : [0-9]*' "$work/wan.json" | tail -1 | grep -o '[0-9]*$')")
  state=$(MODELS_ROOT="$work/root" WAN_MODELS_MANIFEST="$work/models.toml" \
    java -cp "$classpath" dev.wan.cli.WanCli models status t2v-A14B@2.2.0 --json | grep -o '"state" : "[A-Z_]*"' | head -1)
  t0=$(now); cp -al "$work/legacy" "$work/peer"; t1=$(now)
  cp_times+=("$(calc "$t1 - $t0")")
done
w=$(times_median wan_times); c=$(times_median cp_times)
links=$(stat -c %h "$legacy/Wan2.1_VAE.pth")
printf 'legacy tree: %d files, %s bytes (%.1f GB, sparse), runs: %d (medians)\n' "${#files[@]}" "$bytes" \
  "$(calc "$bytes / 1000000000")" "$runs"
printf 'wan models migrate execute: %7.2f s  bytes copied %s  model %s  (legacy VAE link count now %s)\n' \
  "$w" "${copied[0]}" "$state" "$links"
printf 'cp -al (no verification):   %7.2f s\n' "$c"
printf 'sha256sum, one stream:      %7.2f s  (%.0f MB/s)\n' "$sum_time" "$(mbps "$bytes" "$sum_time")"
printf 'sha256sum, %d at once:       %7.2f s\n' "$(nproc)" "$sum_par_time"
printf 'openssl dgst -sha256, %d at once: %7.2f s\n' "$(nproc)" "$ossl_par_time"
printf 'ratio wan / sha256sum: %.2fx (one stream), %.2fx (%d at once); wan hashes each byte twice (match + verify)\n' \
  "$(calc "$w / $sum_time")" "$(calc "$w / $sum_par_time")" "$(nproc)"
printf 'ratio wan / openssl (%d at once): %.2fx\n' "$(nproc)" "$(calc "$w / $ossl_par_time")"
