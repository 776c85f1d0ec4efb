// View of a @voxwire/ringbuffer ring (layout v1) living in a SharedArrayBuffer that JS allocated.
// The native side is the producer of a capture ring and the consumer of a playback ring. Only the
// owning side stores its index (release); the other side's index is loaded with acquire, so the
// element copies are ordered with the index publication exactly as on the JS side (Atomics).
#pragma once
#include <cstdint>
#include <cstring>

namespace vox {

namespace ringlayout {
constexpr uint32_t kMagic = 0x56585242;  // 'VXRB'
constexpr uint32_t kVersion = 1;
constexpr uint32_t kMagicOff = 0, kVersionOff = 4, kCapacityOff = 8, kTypeOff = 12, kElemSizeOff = 16,
                   kChannelsOff = 20, kRateOff = 24;
constexpr uint32_t kWriteOff = 64, kOverrunsOff = 68, kWriteWrapsOff = 72;
constexpr uint32_t kReadOff = 128, kUnderrunsOff = 132, kReadWrapsOff = 136;
constexpr uint32_t kDataOff = 256;
constexpr uint32_t kTypeInt16 = 1, kTypeFloat32 = 2;
}  // namespace ringlayout

class RingView {
 public:
  RingView() = default;

  /** Checks the header; returns an empty string when usable, otherwise why not. */
  const char* attach(uint8_t* base, size_t byteLength) {
    using namespace ringlayout;
    if (byteLength < kDataOff) return "ring buffer smaller than its 256-byte header";
    base_ = base;
    if (load(kMagicOff) != kMagic) return "ring buffer has no VXRB magic";
    if (load(kVersionOff) != kVersion) return "ring buffer layout version is not 1";
    capacity_ = load(kCapacityOff);
    elemSize_ = load(kElemSizeOff);
    if (capacity_ == 0 || (capacity_ & (capacity_ - 1)) != 0) return "ring capacity is not a power of two";
    if (elemSize_ != 2 && elemSize_ != 4) return "ring element size must be 2 (Int16) or 4 (Float32)";
    if (kDataOff + static_cast<uint64_t>(capacity_) * elemSize_ > byteLength) return "ring storage exceeds the buffer";
    mask_ = capacity_ - 1;
    data_ = base + kDataOff;
    return "";
  }

  uint32_t capacity() const { return capacity_; }
  uint32_t elemSize() const { return elemSize_; }
  uint32_t typeCode() const { return load(ringlayout::kTypeOff); }
  uint32_t availableRead() const {
    return load(ringlayout::kWriteOff) - load(ringlayout::kReadOff);
  }
  uint32_t availableWrite() const { return capacity_ - availableRead(); }

  /**
   * Producer: copies up to `elems` elements in, in whole granules (frames); returns how many fit and
   * counts an overrun when not all did. Never blocks.
   */
  uint32_t push(const void* src, uint32_t elems, uint32_t granule = 1) {
    using namespace ringlayout;
    const uint32_t w = loadRelaxed(kWriteOff);
    const uint32_t r = load(kReadOff);
    uint32_t free = capacity_ - (w - r);
    free -= free % granule;
    const uint32_t n = elems < free ? elems : free;
    if (n > 0) {
      copyIn(w & mask_, static_cast<const uint8_t*>(src), n);
      const uint32_t next = w + n;
      if (next < w) add(kWriteWrapsOff, 1);
      store(kWriteOff, next);
    }
    if (n < elems) add(kOverrunsOff, 1);
    return n;
  }

  /** Consumer: copies up to `elems` elements out, in whole granules; returns how many there were. */
  uint32_t pop(void* dst, uint32_t elems, uint32_t granule = 1) {
    using namespace ringlayout;
    const uint32_t r = loadRelaxed(kReadOff);
    const uint32_t w = load(kWriteOff);
    uint32_t avail = w - r;
    avail -= avail % granule;
    const uint32_t n = elems < avail ? elems : avail;
    if (n > 0) {
      copyOut(r & mask_, static_cast<uint8_t*>(dst), n);
      const uint32_t next = r + n;
      if (next < r) add(kReadWrapsOff, 1);
      store(kReadOff, next);
    }
    return n;
  }

  /** Producer side: the free-running write index (what has been written so far). */
  uint32_t writeIndex() const { return load(ringlayout::kWriteOff); }

  /**
   * Consumer: drops what was queued before write index `upTo` (elements written later stay), in whole
   * granules; returns how many elements were dropped.
   */
  uint32_t discardUpTo(uint32_t upTo, uint32_t granule = 1) {
    using namespace ringlayout;
    const uint32_t r = loadRelaxed(kReadOff);
    const uint32_t w = load(kWriteOff);
    // upTo is a write index the producer had reached, so it is never past w. A distance beyond what is
    // queued means the reader has already passed upTo (a "negative" distance in free-running indices).
    uint32_t n = upTo - r;
    if (n > w - r) n = 0;
    n -= n % granule;
    if (n > 0) {
      const uint32_t next = r + n;
      if (next < r) add(kReadWrapsOff, 1);
      store(kReadOff, next);
    }
    return n;
  }

  /** Consumer: records that it needed more than there was. */
  void countUnderrun() { add(ringlayout::kUnderrunsOff, 1); }

  uint32_t overruns() const { return load(ringlayout::kOverrunsOff); }
  uint32_t underruns() const { return load(ringlayout::kUnderrunsOff); }

 private:
  uint32_t* word(uint32_t off) const { return reinterpret_cast<uint32_t*>(base_ + off); }
  uint32_t load(uint32_t off) const { return __atomic_load_n(word(off), __ATOMIC_ACQUIRE); }
  uint32_t loadRelaxed(uint32_t off) const { return __atomic_load_n(word(off), __ATOMIC_RELAXED); }
  void store(uint32_t off, uint32_t v) { __atomic_store_n(word(off), v, __ATOMIC_RELEASE); }
  void add(uint32_t off, uint32_t v) { __atomic_fetch_add(word(off), v, __ATOMIC_RELEASE); }

  void copyIn(uint32_t slot, const uint8_t* src, uint32_t n) {
    const uint32_t first = n < capacity_ - slot ? n : capacity_ - slot;
    std::memcpy(data_ + static_cast<size_t>(slot) * elemSize_, src, static_cast<size_t>(first) * elemSize_);
    if (n > first) std::memcpy(data_, src + static_cast<size_t>(first) * elemSize_, static_cast<size_t>(n - first) * elemSize_);
  }
  void copyOut(uint32_t slot, uint8_t* dst, uint32_t n) const {
    const uint32_t first = n < capacity_ - slot ? n : capacity_ - slot;
    std::memcpy(dst, data_ + static_cast<size_t>(slot) * elemSize_, static_cast<size_t>(first) * elemSize_);
    if (n > first) std::memcpy(dst + static_cast<size_t>(first) * elemSize_, data_, static_cast<size_t>(n - first) * elemSize_);
  }

  uint8_t* base_ = nullptr;
  uint8_t* data_ = nullptr;
  uint32_t capacity_ = 0, mask_ = 0, elemSize_ = 0;
};

}  // namespace vox
