// Test media made once per build folder, not once per case: ctest runs every case in
// a process of its own, and several cases (and every later run) want the same clip.
// A file is kept in `test-media/` beside the test binaries, named after a hash of its
// recipe (so a changed recipe makes a new file); it is written under a temporary
// name and renamed, so cases running side by side never see half a file.
// Thread: any; processes may race to make the same file (both make it, one wins).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace signage::test {

// The kept file for `recipe` (made by `make(path)` when missing), called `name` after
// the hash. `make` writes the whole file at the path it is given and returns true;
// false (with a test failure of its own) keeps nothing, and "" is returned.
std::filesystem::path made_once(const std::string& name, const std::string& recipe,
                                const std::function<bool(const std::filesystem::path&)>& make);

// `ffmpeg -nostdin -loglevel error -y ARGS OUT`, made once as above (the output's
// format follows `dest`'s extension), then copied to `dest` (parents created): the
// test may change its copy. False, with a test failure naming the command, when
// ffmpeg fails.
bool ffmpeg_made(const std::string& args, const std::filesystem::path& dest);

}  // namespace signage::test
