#include "video/internal.h"

namespace signage {

VideoFrame::VideoFrame(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoFrame::VideoFrame(VideoFrame&&) noexcept = default;
VideoFrame& VideoFrame::operator=(VideoFrame&&) noexcept = default;
VideoFrame::~VideoFrame() = default;

int VideoFrame::width() const { return impl_->frame->width; }
int VideoFrame::height() const { return impl_->frame->height; }
PixelLayout VideoFrame::layout() const { return impl_->layout; }
int VideoFrame::plane_count() const { return impl_->layout == PixelLayout::nv12 ? 2 : 3; }
const std::uint8_t* VideoFrame::plane(int i) const {
  return i >= 0 && i < plane_count() ? impl_->frame->data[i] : nullptr;
}
int VideoFrame::pitch(int i) const {
  return i >= 0 && i < plane_count() ? impl_->frame->linesize[i] : 0;
}
ColorMatrix VideoFrame::matrix() const { return impl_->matrix; }
ColorRange VideoFrame::range() const { return impl_->range; }
std::chrono::microseconds VideoFrame::pts() const { return impl_->pts; }
std::chrono::microseconds VideoFrame::duration() const { return impl_->duration; }

}  // namespace signage
