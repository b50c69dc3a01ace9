// A growable byte buffer that always keeps SIMDJSON_PADDING spare bytes past its end,
// so a response body can be parsed in place by simdjson On-Demand without a copy.
#ifndef GH_INGEST_CORE_PADDED_BUFFER_H_
#define GH_INGEST_CORE_PADDED_BUFFER_H_

#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>
#include <vector>

namespace gh {

class PaddedBuffer {
 public:
  PaddedBuffer() { storage_.resize(simdjson::SIMDJSON_PADDING, '\0'); }

  void clear() {
    size_ = 0;
    std::memset(storage_.data(), 0, simdjson::SIMDJSON_PADDING);
  }
  void append(const char* data, std::size_t length) {
    if (size_ + length + simdjson::SIMDJSON_PADDING > storage_.size()) {
      storage_.resize(std::max(storage_.size() * 2, size_ + length + simdjson::SIMDJSON_PADDING));
    }
    std::memcpy(storage_.data() + size_, data, length);
    size_ += length;
    // The padding must be readable; zeroing it keeps tools like valgrind quiet.
    std::memset(storage_.data() + size_, 0, simdjson::SIMDJSON_PADDING);
  }
  void assign(std::string_view text) {
    clear();
    append(text.data(), text.size());
  }

  const char* data() const { return storage_.data(); }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return storage_.size(); }  // always >= size() + padding
  std::string_view view() const { return {storage_.data(), size_}; }
  // For simdjson: parser.iterate(buffer.padded()).
  simdjson::padded_string_view padded() const {
    return simdjson::padded_string_view(storage_.data(), size_, storage_.size());
  }

 private:
  std::vector<char> storage_;
  std::size_t size_ = 0;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_PADDED_BUFFER_H_
