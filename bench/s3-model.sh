#!/usr/bin/env bash
# A model of 8 files from S3 (S3Proxy 4.1.0, filesystem store, v4 auth, on loopback): the whole
# `wan ensure` command (sha256-verified, fsynced, atomic) vs `rclone copy` (the target peer; it
# checks MD5 only where the ETag is one) and `aws s3 cp --recursive` (awscli v2, /usr/bin/aws).
# S3Proxy's files are in the page cache for every run; destinations are removed and synced between
# runs. Prints medians of RUNS runs and ratios vs rclone and aws.
#
#   bench/s3-model.sh [TOTAL_MB=2000] [RUNS=3]     (8 files of TOTAL_MB/8 MB each, 1 MB = 10^6 bytes)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
total_mb=${1:-2000}
runs=${2:-3}
files=8
read -r -a conns <<<"${CONNECTIONS:-8}"
need rclone:rclone /usr/bin/aws:awscli java:openjdk-17-jdk-headless curl:curl openssl:openssl bc:bc
build_wan
start_s3proxy "$work/s3data"

# the model: 8 random files, uploaded with the AWS CLI
each=$((total_mb * 1000000 / files))
specs=()
mkdir -p "$work/model"
for n in $(seq -w 1 "$files"); do
  f="model-0000$n-of-0000$files.safetensors"
  head -c "$each" /dev/urandom > "$work/model/$f"
  specs+=("$f:$each:$(openssl dgst -sha256 -r "$work/model/$f" | cut -d' ' -f1)")
done
aws=(/usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL")
"${aws[@]}" s3 mb s3://wan-bench > /dev/null
"${aws[@]}" s3 cp --recursive --quiet "$work/model" s3://wan-bench/m/
rm -rf "$work/model"
find "$work/s3data" -type f -exec cat {} + > /dev/null

write_manifest "$work/models.toml" bench@1.0.0 "s3://wan-bench/m" "${specs[@]}"
export MODELS_ROOT="$work/root" WAN_MODELS_MANIFEST="$work/models.toml"
declare -A wan_t=()
rclone_t=() ; aws_t=()
fresh() { rm -rf "$work/root" "$work/peer"; sync; }
check_peer() {
  local got
  got=$(find "$work/peer" -type f | wc -l)
  [ "$got" = "$files" ] || { echo "$1 copied $got files, not $files" >&2; exit 1; }
}
for i in $(seq "$runs"); do
  for c in "${conns[@]}"; do
    fresh
    wan_t[$c]+="$(WAN_CONNECTIONS=$c wan_ensure bench@1.0.0) "
  done
  fresh
  t0=$(now); rclone --config "$work/rclone.conf" -q copy wanb:wan-bench/m "$work/peer"; t1=$(now)
  rclone_t+=("$(calc "$t1 - $t0")")
  check_peer rclone
  fresh
  t0=$(now); "${aws[@]}" s3 cp --recursive --quiet s3://wan-bench/m "$work/peer"; t1=$(now)
  aws_t+=("$(calc "$t1 - $t0")")
  check_peer "aws s3 cp"
  echo "run $i/$runs done" >&2
done
noop_t=()
for i in 1 2 3; do noop_t+=("$(wan_ensure bench@1.0.0)"); done

bytes=$((each * files))
noop=$(times_median noop_t)
pr=$(times_median rclone_t); pa=$(times_median aws_t)
printf 'model: %d files x %d MB = %d MB from S3Proxy 4.1.0 (filesystem, 127.0.0.1), runs: %d (medians)\n' \
  "$files" "$((each / 1000000))" "$((bytes / 1000000))" "$runs"
for c in "${conns[@]}"; do
  w=$(tr ' ' '\n' <<<"${wan_t[$c]}" | grep . | median)
  printf 'wan ensure, %d connections (whole command): %6.2f s %7.1f MB/s (in-process %7.1f MB/s)  vs rclone: %.2fx  vs aws: %.2fx\n' \
    "$c" "$w" "$(mbps "$bytes" "$w")" "$(mbps "$bytes" "$(calc "$w - $noop")")" "$(calc "$pr / $w")" "$(calc "$pa / $w")"
done
printf 'wan no-op ensure (JVM start, manifest, lock, status): %6.2f s\n' "$noop"
printf 'rclone copy (%s):            %6.2f s %7.1f MB/s\n' "$(rclone version | head -1)" "$pr" "$(mbps "$bytes" "$pr")"
printf 'aws s3 cp --recursive (%s):  %6.2f s %7.1f MB/s\n' "$(/usr/bin/aws --version | cut -d' ' -f1)" "$pa" "$(mbps "$bytes" "$pa")"
