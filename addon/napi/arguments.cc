#include "napi/arguments.h"

namespace gh::napi {
namespace {

const char* TypeName(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined:
      return "undefined";
    case napi_null:
      return "null";
    case napi_boolean:
      return "boolean";
    case napi_number:
      return "number";
    case napi_string:
      return "string";
    case napi_symbol:
      return "symbol";
    case napi_object:
      return value.IsArray() ? "array" : "object";
    case napi_function:
      return "function";
    case napi_external:
      return "external";
    case napi_bigint:
      return "bigint";
  }
  return "unknown";
}

// A short, safe rendering of the received value. Strings are not echoed: the argument
// may be a token, and tokens never appear in full in an error.
std::string Describe(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined:
      return "undefined";
    case napi_null:
      return "null";
    case napi_boolean:
      return value.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_number: {
      Napi::String text = value.ToString();
      if (value.Env().IsExceptionPending()) return "a number";
      return text.Utf8Value();
    }
    case napi_string:
      return "a string";
    case napi_object:
      return value.IsArray() ? "an array" : "an object";
    case napi_function:
      return "a function";
    default:
      return std::string("a ") + TypeName(value);
  }
}

}  // namespace

Napi::Value ThrowInvalidArgument(Napi::Env env, const std::string& expected,
                                 const std::string& name, const Napi::Value& actual) {
  const std::string message = "Expected " + expected + " for " + name + " but received " +
                              Describe(actual) + " of type " + TypeName(actual);
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Set("code", "ERR_INVALID_ARG_TYPE");  // the code Node's own argument checks use
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

std::optional<std::string> RequireString(Napi::Env env, const Napi::Value& value,
                                         const std::string& name) {
  if (!value.IsString()) {
    ThrowInvalidArgument(env, "a string", name, value);
    return std::nullopt;
  }
  return value.As<Napi::String>().Utf8Value();
}

}  // namespace gh::napi
