#include "support/loopback_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace gh::test {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

const std::string* find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return &value;
  }
  return nullptr;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// Closes with a TCP reset rather than a FIN.
void reset_close(int fd) {
  linger option{};
  option.l_onoff = 1;
  option.l_linger = 0;
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof option);
  ::close(fd);
}

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

int bound_port(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  return ntohs(address.sin_port);
}

std::uint32_t crc32(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (char c : data) {
    crc ^= static_cast<unsigned char>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void put_le32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFFu);
}

}  // namespace

std::string RecordedRequest::header(std::string_view name) const {
  const std::string* value = find_header(headers, name);
  return value != nullptr ? *value : std::string();
}

bool RecordedRequest::has_header(std::string_view name) const {
  return find_header(headers, name) != nullptr;
}

LoopbackServer::LoopbackServer() {
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  const int yes = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address = loopback(0);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    ::close(listen_fd_);
    ::close(wake_pipe_[0]);
    ::close(wake_pipe_[1]);
    throw std::runtime_error(std::string("cannot listen on loopback: ") + std::strerror(errno));
  }
  port_ = bound_port(listen_fd_);
  acceptor_ = std::thread([this] { accept_loop(); });
}

LoopbackServer::~LoopbackServer() {
  stop();
  ::close(listen_fd_);
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

std::string LoopbackServer::url(std::string_view target) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(target);
}

void LoopbackServer::on(std::string path, ScriptedResponse response) {
  std::lock_guard<std::mutex> lock(mutex_);
  routes_[std::move(path)] = std::move(response);
}

void LoopbackServer::on_next(std::string path, ScriptedResponse response) {
  std::lock_guard<std::mutex> lock(mutex_);
  queued_[std::move(path)].push_back(std::move(response));
}

std::vector<RecordedRequest> LoopbackServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::size_t LoopbackServer::request_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

void LoopbackServer::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  stopping_cv_.notify_all();
  const char byte = 'x';
  while (::write(wake_pipe_[1], &byte, 1) < 0 && errno == EINTR) {
  }
  if (acceptor_.joinable()) acceptor_.join();
  // The acceptor is gone: no worker can be added any more.
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    workers.swap(workers_);
  }
  for (std::thread& worker : workers) worker.join();
}

void LoopbackServer::accept_loop() {
  for (;;) {
    std::array<pollfd, 2> fds{{{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int connection = ++connections_;
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    workers_.emplace_back([this, fd, connection] { serve(fd, connection); });
  }
}

bool LoopbackServer::read_more(int fd, std::string& buffer) {
  for (;;) {
    std::array<pollfd, 2> fds{{{fd, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (fds[1].revents != 0) return false;
    if (fds[0].revents == 0) continue;
    std::array<char, 16384> chunk;
    const ssize_t received = ::recv(fd, chunk.data(), chunk.size(), 0);
    if (received < 0 && errno == EINTR) continue;
    if (received <= 0) return false;
    buffer.append(chunk.data(), static_cast<std::size_t>(received));
    return true;
  }
}

bool LoopbackServer::pause(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mutex_);
  stopping_cv_.wait_for(lock, delay, [this] { return stopping_; });
  return !stopping_;
}

ScriptedResponse LoopbackServer::response_for(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto queued = queued_.find(path);
  if (queued != queued_.end() && !queued->second.empty()) {
    ScriptedResponse response = std::move(queued->second.front());
    queued->second.pop_front();
    return response;
  }
  auto route = routes_.find(path);
  if (route != routes_.end()) return route->second;
  ScriptedResponse missing;
  missing.status = 404;
  missing.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  missing.body = R"({"message":"Not Found","status":"404"})";
  return missing;
}

void LoopbackServer::serve(int fd, int connection) {
  std::string buffer;
  for (;;) {
    // The request head.
    std::size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more(fd, buffer)) {
        ::close(fd);
        return;
      }
      if (buffer.front() == '\x16') {  // a TLS handshake: answer as a plain HTTP server does
        send_all(fd, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        ::shutdown(fd, SHUT_WR);
        ::close(fd);
        return;
      }
    }
    RecordedRequest request;
    request.connection = connection;
    const std::string_view head(buffer.data(), head_end);
    std::size_t line_end = head.find("\r\n");
    const std::string_view request_line = head.substr(0, line_end);
    const std::size_t first_space = request_line.find(' ');
    const std::size_t second_space = request_line.find(' ', first_space + 1);
    if (first_space == std::string_view::npos || second_space == std::string_view::npos) {
      ::close(fd);
      return;
    }
    request.method = std::string(request_line.substr(0, first_space));
    request.target =
        std::string(request_line.substr(first_space + 1, second_space - first_space - 1));
    request.path = request.target.substr(0, request.target.find('?'));
    const std::string_view version = request_line.substr(second_space + 1);
    while (line_end != std::string_view::npos && line_end < head.size()) {
      const std::size_t begin = line_end + 2;
      line_end = head.find("\r\n", begin);
      const std::string_view line = head.substr(
          begin, line_end == std::string_view::npos ? head.size() - begin : line_end - begin);
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      request.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                   std::string(trim(line.substr(colon + 1))));
    }

    // The request body (Content-Length only: libcurl sends nothing else for our bodies).
    std::size_t body_length = 0;
    if (const std::string* length = find_header(request.headers, "content-length")) {
      for (char c : *length) {
        if (c < '0' || c > '9' || body_length > (std::size_t{1} << 40)) {
          ::close(fd);  // not a length this server wants to believe
          return;
        }
        body_length = body_length * 10 + static_cast<std::size_t>(c - '0');
      }
    }
    const std::size_t body_begin = head_end + 4;
    while (buffer.size() < body_begin + body_length) {
      if (!read_more(fd, buffer)) {
        ::close(fd);
        return;
      }
    }
    request.body = buffer.substr(body_begin, body_length);
    buffer.erase(0, body_begin + body_length);

    const std::string connection_header = request.header("connection");
    const bool client_closes =
        iequals(connection_header, "close") || (version == "HTTP/1.0" && connection_header.empty());
    const bool head_request = request.method == "HEAD";
    const std::string path = request.path;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(std::move(request));
    }

    ScriptedResponse response = response_for(path);
    if (response.delay.count() > 0 && !pause(response.delay)) {
      ::close(fd);
      return;
    }
    if (response.drop == ScriptedResponse::Drop::before_response) {
      ::close(fd);
      return;
    }

    const bool closing = response.close || client_closes;
    const bool bodiless = response.status == 204 || response.status == 304 ||
                          (response.status >= 100 && response.status < 200);
    std::string out =
        "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) + "\r\n";
    for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
    if (!bodiless && find_header(response.headers, "content-length") == nullptr) {
      out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    }
    if (response.gzip) out += "Content-Encoding: gzip\r\n";
    if (closing) out += "Connection: close\r\n";
    out += "\r\n";

    const bool cut = response.drop == ScriptedResponse::Drop::mid_body ||
                     response.drop == ScriptedResponse::Drop::reset_mid_body;
    if (!bodiless && !head_request) {
      out += cut ? response.body.substr(0, response.body.size() / 2) : response.body;
    }
    const bool sent = send_all(fd, out);
    if (response.drop == ScriptedResponse::Drop::reset_mid_body) {
      reset_close(fd);
      return;
    }
    if (!sent || cut || closing) {
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
      return;
    }
  }
}

std::string gzip_stored(std::string_view data) {
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);  // no name, no mtime
  std::size_t offset = 0;
  do {
    const std::size_t length = std::min<std::size_t>(data.size() - offset, 65535);
    const bool last = offset + length == data.size();
    out += static_cast<char>(last ? 1 : 0);  // BFINAL, BTYPE 00 (stored)
    const auto len = static_cast<std::uint16_t>(length);
    const auto nlen = static_cast<std::uint16_t>(~len);
    out += static_cast<char>(len & 0xFFu);
    out += static_cast<char>(len >> 8);
    out += static_cast<char>(nlen & 0xFFu);
    out += static_cast<char>(nlen >> 8);
    out.append(data.substr(offset, length));
    offset += length;
  } while (offset < data.size());
  put_le32(out, crc32(data));
  put_le32(out, static_cast<std::uint32_t>(data.size()));
  return out;
}

int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address = loopback(0);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    port = bound_port(fd);
  }
  ::close(fd);
  return port;
}

}  // namespace gh::test
