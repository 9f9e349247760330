#!/usr/bin/env bash
# Builds the native addon with AddressSanitizer into a temporary directory and runs the native tests plus a
# short trace-mode training against it (the addon's threads share buffers with V8: use-after-free and
# out-of-bounds reads show up here long before they crash). Needs gcc with libasan. Not part of `npm test`
# (about a minute); run it after changing native/*.c:  bash scripts/native-asan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/pinpoint-asan-XXXXXX)
trap 'rm -rf "$out"; [ -f "$out.keep" ] && mv "$out.keep" build/Release/pinpoint_native.node' EXIT
gcc -O1 -g -fsanitize=address -fno-omit-frame-pointer -ffp-contract=off -fno-fast-math -fPIC -shared \
  -I"${NODE_INCLUDE:-/usr/include/node}" -o "$out/pinpoint_native.node" native/*.c -lpthread
mkdir -p build/Release
[ -f build/Release/pinpoint_native.node ] && cp build/Release/pinpoint_native.node "$out.keep"
cp "$out/pinpoint_native.node" build/Release/pinpoint_native.node
export ASAN_OPTIONS=detect_leaks=0 LD_PRELOAD="$(gcc -print-file-name=libasan.so)"
node --import tsx --import ./test/helpers/fc-setup.ts --test test/hash/native-*.test.ts test/repops-math/native-*.test.ts
node -e 'const t = require("./tasks/nanogpt-char.json"); t.steps = 4; t.checkpointEvery = 2; process.stdout.write(JSON.stringify(t))' >"$out/task.json"
node bin/pinpoint.js train "$out/task.json" --mode trace --quiet --threads 1 --out "$out/run.pinproof"
# The addon in a micro-batch worker thread too (nanogpt-char has two micro-batches): the same proof.
node bin/pinpoint.js train "$out/task.json" --mode trace --quiet --threads 2 --out "$out/run2.pinproof"
cmp "$out/run.pinproof" "$out/run2.pinproof"
echo "native-asan: no AddressSanitizer report"
