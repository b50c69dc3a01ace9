// A real HTTP/1.1 server on 127.0.0.1 (ephemeral port) for tests of the HTTP layer:
// scripted responses per path, every request recorded, connections counted (to prove
// keep-alive), and the failures a network produces on purpose: delays, a body cut
// short, a connection dropped or reset.
//
// One accept thread and one thread per connection. Every wait (reads, scripted delays)
// wakes at once on stop(), so the destructor joins every thread promptly however a test
// left its clients.
#ifndef GH_INGEST_TEST_SUPPORT_LOOPBACK_SERVER_H_
#define GH_INGEST_TEST_SUPPORT_LOOPBACK_SERVER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace gh::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct ScriptedResponse {
  enum class Drop {
    none,
    before_response,  // read the request, then close without a byte of response
    mid_body,         // announce the whole Content-Length, send half the body, close
    reset_mid_body,   // the same, but end with a TCP reset instead of a clean close
  };

  int status = 200;
  Headers headers;  // Content-Length is added unless given (and for 204/304)
  std::string body;
  bool gzip = false;  // `body` already holds gzip bytes: adds Content-Encoding: gzip
  std::chrono::milliseconds delay{0};  // before anything is sent
  Drop drop = Drop::none;
  bool close = false;  // "Connection: close" and close after this response
};

struct RecordedRequest {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // without the query
  Headers headers;
  std::string body;
  int connection = 0;  // 1-based, in accept order

  // The first header of that name (case-insensitive); empty when absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

class LoopbackServer {
 public:
  LoopbackServer();
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>" + target.
  std::string url(std::string_view target = "/") const;

  // The response to every request for `path` (query ignored), from now on.
  void on(std::string path, ScriptedResponse response);
  // A response for the next request only; queued ones come before on()'s.
  void on_next(std::string path, ScriptedResponse response);

  std::vector<RecordedRequest> requests() const;
  std::size_t request_count() const;
  int connections() const { return connections_.load(); }

  // Stops accepting, wakes and joins every thread. Idempotent.
  void stop();

 private:
  void accept_loop();
  void serve(int fd, int connection);
  // Reads more bytes into `buffer`; false on EOF, error or stop.
  bool read_more(int fd, std::string& buffer);
  // Waits `delay`, or less if the server stops; false when stopping.
  bool pause(std::chrono::milliseconds delay);
  ScriptedResponse response_for(const std::string& path);

  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};  // written once on stop(); every poll() watches it
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread acceptor_;

  mutable std::mutex mutex_;
  std::condition_variable stopping_cv_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::map<std::string, ScriptedResponse> routes_;
  std::map<std::string, std::deque<ScriptedResponse>> queued_;
  std::vector<RecordedRequest> requests_;
};

// `data` as a valid gzip stream (deflate "stored" blocks: not smaller, but any
// conforming decoder must inflate it).
std::string gzip_stored(std::string_view data);

// A loopback port that nothing listens on (bound, then closed).
int closed_port();

}  // namespace gh::test

#endif  // GH_INGEST_TEST_SUPPORT_LOOPBACK_SERVER_H_
