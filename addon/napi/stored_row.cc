#include "napi/stored_row.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "napi/arguments.h"

namespace gh::napi {
namespace {

// One row's reader: each column read by name, the first wrong type ends it.
class RowReader {
 public:
  RowReader(Napi::Env env, const Napi::Object& row, const std::string& where)
      : env_(env), row_(row), where_(where) {}

  bool ok() const { return ok_; }

  void text(const char* column, std::string& out) {
    std::optional<std::string> value;
    optional_text(column, value);
    out = value.value_or("");
  }
  void optional_text(const char* column, std::optional<std::string>& out) {
    Napi::Value v = get(column);
    if (!ok_ || v.IsNull() || v.IsUndefined()) return out.reset();
    if (!v.IsString()) return fail("a string or null", column, v);
    out = v.As<Napi::String>().Utf8Value();
  }
  void integer(const char* column, std::int64_t& out) {
    std::optional<std::int64_t> value;
    optional_integer(column, value);
    out = value.value_or(0);
  }
  void optional_integer(const char* column, std::optional<std::int64_t>& out) {
    Napi::Value v = get(column);
    if (!ok_ || v.IsNull() || v.IsUndefined()) return out.reset();
    if (!v.IsNumber()) return fail("a number or null", column, v);
    out = v.As<Napi::Number>().Int64Value();
  }
  void flag(const char* column, bool& out) {
    Napi::Value v = get(column);
    if (!ok_) return;
    if (!v.IsBoolean()) return fail("a boolean", column, v);
    out = v.As<Napi::Boolean>().Value();
  }
  void texts(const char* column, std::vector<std::string>& out) {
    Napi::Value v = get(column);
    out.clear();
    if (!ok_ || v.IsNull() || v.IsUndefined()) return;
    if (!v.IsArray()) return fail("an array of strings", column, v);
    Napi::Array items = v.As<Napi::Array>();
    for (uint32_t i = 0; i < items.Length(); ++i) {
      Napi::Value item = items.Get(i);
      if (!item.IsString()) return fail("an array of strings", column, v);
      out.push_back(item.As<Napi::String>().Utf8Value());
    }
  }

 private:
  Napi::Value get(const char* column) {
    if (!ok_) return env_.Undefined();
    Napi::Value v = row_.Get(column);
    if (env_.IsExceptionPending()) ok_ = false;
    return v;
  }
  void fail(const char* expected, const char* column, const Napi::Value& actual) {
    ThrowInvalidArgument(env_, expected, where_ + "." + column, actual);
    ok_ = false;
  }

  Napi::Env env_;
  const Napi::Object& row_;
  const std::string& where_;
  bool ok_ = true;
};

}  // namespace

bool ReadStoredRow(Napi::Env env, const Napi::Object& row, const std::string& where,
                   Repository& out) {
  RowReader r(env, row, where);
  r.integer("id", out.id);
  r.text("node_id", out.node_id);
  r.text("full_name", out.full_name);
  r.text("owner", out.owner);
  r.text("name", out.name);
  r.optional_text("description", out.description);
  r.text("html_url", out.html_url);
  r.optional_text("homepage", out.homepage);
  r.optional_text("language", out.language);
  r.texts("topics", out.topics);
  r.optional_text("license", out.license);
  r.integer("stars", out.stars);
  r.integer("forks", out.forks);
  r.integer("open_issues", out.open_issues);
  r.optional_integer("watchers", out.watchers);
  r.optional_integer("size_kb", out.size_kb);
  r.optional_text("default_branch", out.default_branch);
  r.flag("is_fork", out.is_fork);
  r.flag("is_archived", out.is_archived);
  r.optional_text("created_at", out.created_at);
  r.optional_text("pushed_at", out.pushed_at);
  r.optional_text("updated_at", out.updated_at);
  return r.ok();
}

}  // namespace gh::napi
