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
  return signage::run_cli(argc, argv, std::cout, std::cerr);
}
