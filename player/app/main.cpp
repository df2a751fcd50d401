#include <malloc.h>

#include <iostream>

#include "app/cli.h"

int main(int argc, char** argv) {
  // One malloc arena for the whole process. By default glibc gives each thread that
  // allocates its own arena (the decode threads, the codec's frame threads, the
  // watcher, picture decoding), and memory freed in one of them stays with it: the
  // player's resident memory over many item switches went to about 167 MB with the
  // default, 142 MB with one arena, at the same CPU (bench/video, part d). The
  // player allocates little after start (video frames come from FFmpeg's pools), so
  // one arena costs no contention worth measuring.
  mallopt(M_ARENA_MAX, 1);
  // Picture-sized blocks from the heap, kept mapped for the next one. SDL's software
  // renderer takes a screen-sized temporary surface for each scaled frame (8 MB at
  // 1920x1080) and frees it; glibc maps blocks that size afresh each time and gives
  // them back, and writing 8 MB of fresh pages costs the main thread thousands of
  // page faults per frame (a simulated day at 1000x: 530 000 faults and 4 s of system
  // time in 12 s, 17 000 and 0.4 s with these). Blocks up to 32 MB come from the
  // heap; at most 32 MB free at its top is kept.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  return signage::run_cli(argc, argv, std::cout, std::cerr);
}
