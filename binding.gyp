{
  "targets": [
    {
      "target_name": "pinpoint_native",
      "sources": ["native/addon.c", "native/matmul.c", "native/layout.c", "native/binary.c", "native/optim.c", "native/transcendental.c", "native/nn.c", "native/hash.c", "native/sha256.c", "native/digest-queue.c", "native/sha256-lanes.c", "native/merkle.c", "native/blake3.c"],
      "cflags": ["-O2", "-ffp-contract=off", "-fno-fast-math"]
    }
  ]
}
