// machi_loadgen: a small HTTP/1.1 load generator for machi's benchmarks.
//
// Two modes:
//   open loop  (--rate R > 0): requests are scheduled at a fixed rate R/s,
//              independent of how fast the server answers, and sent over N
//              keep-alive connections. Latency is measured from the
//              *scheduled* send time, so a request that waits for a free
//              connection (because the server is slow) is charged for the
//              wait: no coordinated omission.
//   closed loop (--rate 0): each connection sends its next request as soon
//              as the previous one is answered (used to load data).
//
// Requests come from built-in scenario templates over the benchmark's
// ParkingSpot data set (ids and points are randomized per request):
//   health   GET /health
//   get      GET /ngsi-ld/v1/entities/{random id}
//   patch    PATCH /ngsi-ld/v1/entities/{random id}/attrs  (status, observedAt)
//   query    GET /ngsi-ld/v1/entities?type=ParkingSpot&q=status=="free"&georel=near;maxDistance==500&...
//   upsert   POST /ngsi-ld/v1/entityOperations/upsert, a batch over existing ids
//   load     POST /ngsi-ld/v1/entityOperations/upsert, consecutive batches 0..N-1
//   paths    GET of a random line of --paths FILE (one request target per
//            line, e.g. /ngsi-ld/v1/types?details=true; repeat a line to
//            weight it): any data set, such as the demo city's explorer calls
//
// Only 127.0.0.1 is ever targeted. The result is one JSON object on stdout:
//   {"scenario","mode","rate","duration_s","connections","sent","ok","errors",
//    "achieved_rate","items_per_second","p50_ms","p90_ms","p95_ms","p99_ms","max_ms","status":{...}}
#include <time.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// ---------------------------------------------------------------- options

struct Options {
  unsigned short port = 0;
  std::string scenario = "health";
  double rate = 0;          // requests per second; 0 = closed loop
  double duration = 10;     // seconds of scheduling (after the warm-up)
  double warmup = 0;        // seconds run first and not recorded
  double drain = 10;        // seconds to wait for outstanding requests at the end
  int connections = 32;
  long requests = 0;        // closed loop: stop after this many (0 = by duration)
  long entities = 100000;   // size of the id space
  int batch = 1000;         // entities per batch for upsert/load
  unsigned long seed = 0;   // 0 = from the clock
  std::vector<std::string> paths;  // the paths scenario's request targets
};

[[noreturn]] void usage(const char* error) {
  if (error) std::fprintf(stderr, "machi_loadgen: %s\n\n", error);
  std::fprintf(stderr,
               "usage: machi_loadgen --port P --scenario health|get|patch|query|upsert|load|paths\n"
               "       [--rate R (req/s, 0 = closed loop)] [--duration S] [--warmup S] [--drain S]\n"
               "       [--paths FILE (paths: one GET target per line)]\n"
               "       [--connections N] [--requests K] [--entities N] [--batch B] [--seed X]\n"
               "Targets 127.0.0.1 only. Prints one JSON object. A bearer token in the environment\n"
               "variable MACHI_BENCH_TOKEN is sent with every request.\n");
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage((a + " needs a value").c_str());
      return argv[++i];
    };
    try {
      if (a == "--port") {
        o.port = static_cast<unsigned short>(std::stoul(value()));
      } else if (a == "--scenario") {
        o.scenario = value();
      } else if (a == "--rate") {
        o.rate = std::stod(value());
      } else if (a == "--duration") {
        o.duration = std::stod(value());
      } else if (a == "--warmup") {
        o.warmup = std::stod(value());
      } else if (a == "--drain") {
        o.drain = std::stod(value());
      } else if (a == "--connections") {
        o.connections = std::stoi(value());
      } else if (a == "--requests") {
        o.requests = std::stol(value());
      } else if (a == "--entities") {
        o.entities = std::stol(value());
      } else if (a == "--batch") {
        o.batch = std::stoi(value());
      } else if (a == "--seed") {
        o.seed = std::stoul(value());
      } else if (a == "--paths") {
        std::string file = value();
        std::ifstream in(file);
        if (!in) usage(("cannot read " + file).c_str());
        for (std::string line; std::getline(in, line);) {
          if (!line.empty() && line.back() == '\r') line.pop_back();
          if (!line.empty() && line[0] == '/') o.paths.push_back(line);
        }
      } else if (a == "--help" || a == "-h") {
        usage(nullptr);
      } else {
        usage(("unknown option " + a).c_str());
      }
    } catch (const std::logic_error&) {
      usage(("bad value for " + a).c_str());
    }
  }
  if (o.port == 0) usage("--port is required");
  if (o.connections < 1 || o.entities < 1 || o.batch < 1 || o.rate < 0 || o.duration <= 0) usage("bad numbers");
  static const char* known[] = {"health", "get", "patch", "query", "upsert", "load", "paths"};
  if (std::find(std::begin(known), std::end(known), o.scenario) == std::end(known)) usage("unknown scenario");
  if (o.scenario == "paths" && o.paths.empty()) usage("the paths scenario needs --paths FILE with at least one /target");
  return o;
}

// ------------------------------------------------------------ the data set
//
// 100,000 ParkingSpots (https://smartdatamodels.org/dataModel.Parking/ParkingSpot)
// spread over a city-sized area around 139.94E 35.88N (Noda, Chiba): about
// 18 x 18 km. Spot i sits at a quasi-random (R2 sequence) point, so the
// spots cover the area evenly and the same id always gets the same place.
// bench/lua/common.lua builds the same entities for wrk.

constexpr double kLonMin = 139.84, kLonMax = 140.04;
constexpr double kLatMin = 35.80, kLatMax = 35.96;

std::string entity_id(long i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "urn:ngsi-ld:ParkingSpot:noda:%06ld", i);
  return buf;
}

void spot_location(long i, double& lon, double& lat) {
  double x = std::fmod(0.5 + static_cast<double>(i) * 0.7548776662466927, 1.0);
  double y = std::fmod(0.5 + static_cast<double>(i) * 0.5698402909980532, 1.0);
  lon = kLonMin + x * (kLonMax - kLonMin);
  lat = kLatMin + y * (kLatMax - kLatMin);
}

std::string now_iso() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

const char* kCategories[] = {"onStreet", "offStreet"};

// Each spot names one of kSubjects data subjects (a resident's pseudonym,
// as a parking permit would), so that bench/run.sh can measure the query
// with the type registered as personal, enforcement on, against it off.
constexpr long kSubjects = 20000;

void append_entity(std::string& out, long i, bool free, const std::string& observed_at) {
  double lon, lat;
  spot_location(i, lon, lat);
  char buf[1024];
  int n = std::snprintf(
      buf, sizeof buf,
      "{\"id\":\"%s\",\"type\":\"ParkingSpot\","
      "\"status\":{\"type\":\"Property\",\"value\":\"%s\",\"observedAt\":\"%s\"},"
      "\"category\":{\"type\":\"Property\",\"value\":[\"%s\"]},"
      "\"name\":{\"type\":\"Property\",\"value\":\"Noda spot %ld\"},"
      "\"location\":{\"type\":\"GeoProperty\",\"value\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}},"
      "\"refParkingSite\":{\"type\":\"Relationship\",\"object\":\"urn:ngsi-ld:ParkingSite:noda:%04ld\"},"
      "\"dataSubject\":{\"type\":\"Property\",\"value\":\"s%05ld\"}}",
      entity_id(i).c_str(), free ? "free" : "occupied", observed_at.c_str(), kCategories[i % 7 == 0 ? 1 : 0], i,
      lon, lat, i / 50, i % kSubjects);
  out.append(buf, static_cast<size_t>(n));
}

struct RequestSpec {
  http::verb method = http::verb::get;
  std::string target;
  std::string body;  // JSON; empty = none
  long items = 1;    // entities carried (batch size for upserts)
};

class Scenario {
 public:
  Scenario(const Options& o, std::mt19937_64& rng) : o_(o), rng_(rng) {}

  RequestSpec next() {
    RequestSpec r;
    const std::string& s = o_.scenario;
    if (s == "health") {
      r.target = "/health";
    } else if (s == "paths") {
      r.target = o_.paths[std::uniform_int_distribution<size_t>(0, o_.paths.size() - 1)(rng_)];
    } else if (s == "get") {
      r.target = "/ngsi-ld/v1/entities/" + entity_id(random_id());
    } else if (s == "patch") {
      r.method = http::verb::patch;
      r.target = "/ngsi-ld/v1/entities/" + entity_id(random_id()) + "/attrs";
      r.body = std::string("{\"status\":{\"type\":\"Property\",\"value\":\"") + (coin() ? "free" : "occupied") +
               "\",\"observedAt\":\"" + now_iso() + "\"}}";
    } else if (s == "query") {
      std::uniform_real_distribution<double> lon(kLonMin, kLonMax), lat(kLatMin, kLatMax);
      char buf[320];
      std::snprintf(buf, sizeof buf,
                    "/ngsi-ld/v1/entities?type=ParkingSpot&q=status==%%22free%%22"
                    "&georel=near;maxDistance==500&geometry=Point&coordinates=%%5B%.6f,%.6f%%5D",
                    lon(rng_), lat(rng_));
      r.target = buf;
    } else {  // upsert, load
      r.method = http::verb::post;
      r.target = "/ngsi-ld/v1/entityOperations/upsert";
      long start;
      long count = o_.batch;
      if (s == "load") {
        start = next_block_ * o_.batch;
        ++next_block_;
        count = std::max(0L, std::min<long>(o_.batch, o_.entities - start));
      } else {
        start = random_id();  // a run of consecutive ids, wrapping: no duplicates in a batch
      }
      std::string observed = now_iso();
      r.body.reserve(static_cast<size_t>(count) * 520 + 2);
      r.body.push_back('[');
      for (long k = 0; k < count; ++k) {
        if (k) r.body.push_back(',');
        long id = (start + k) % o_.entities;
        append_entity(r.body, id, s == "load" ? (id % 2 == 0) : coin(), observed);
      }
      r.body.push_back(']');
      r.items = count;
    }
    return r;
  }

  // For load: how many requests cover the id space.
  long load_requests() const { return (o_.entities + o_.batch - 1) / o_.batch; }

 private:
  long random_id() { return std::uniform_int_distribution<long>(0, o_.entities - 1)(rng_); }
  bool coin() { return (rng_() & 1) != 0; }

  const Options& o_;
  std::mt19937_64& rng_;
  long next_block_ = 0;
};

// ------------------------------------------------------------- the driver

struct Job {
  Clock::time_point scheduled;  // latency is measured from here
  bool record = true;           // false during the warm-up
};

class Driver;

struct Connection {
  explicit Connection(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  std::optional<http::response_parser<http::string_body>> parser;
  Job job;
  long items = 1;
  bool busy = false;
  bool connected = false;
};

class Driver {
 public:
  Driver(const Options& o) : o_(o), rng_(o.seed ? o.seed : Clock::now().time_since_epoch().count()), scenario_(o_, rng_) {
    endpoint_ = tcp::endpoint(asio::ip::make_address("127.0.0.1"), o.port);
    if (o_.scenario == "load" && o_.requests == 0) o_.requests = scenario_.load_requests();
  }

  int run() {
    for (int i = 0; i < o_.connections; ++i) {
      auto c = std::make_unique<Connection>(io_);
      beast::error_code ec;
      c->socket.connect(endpoint_, ec);
      if (ec) {
        std::fprintf(stderr, "machi_loadgen: cannot connect to 127.0.0.1:%u: %s\n", o_.port, ec.message().c_str());
        return 1;
      }
      c->socket.set_option(tcp::no_delay(true));
      c->connected = true;
      idle_.push_back(c.get());
      connections_.push_back(std::move(c));
    }
    start_ = Clock::now();
    record_from_ = start_ + to_duration(o_.warmup);
    end_ = record_from_ + to_duration(o_.duration);
    deadline_ = end_ + to_duration(o_.drain);
    deadline_timer_.expires_at(deadline_);
    deadline_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) io_.stop();  // whatever is still outstanding counts as timed out
    });
    if (o_.rate > 0) {
      schedule();
    } else {
      dispatch();
    }
    io_.run();
    finished_at_ = Clock::now();
    report();
    return 0;
  }

 private:
  static Clock::duration to_duration(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }

  // Open loop: release every job whose scheduled time has come, then sleep
  // until the next one.
  void schedule() {
    auto now = Clock::now();
    auto interval = std::chrono::duration<double>(1.0 / o_.rate);
    for (;;) {
      auto due = start_ + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(scheduled_));
      if (due >= end_) {
        scheduling_done_ = true;
        break;
      }
      if (due > now) {
        tick_.expires_at(due);
        tick_.async_wait([this](beast::error_code ec) {
          if (!ec) schedule();
        });
        break;
      }
      pending_.push_back({due, due >= record_from_});
      ++scheduled_;
    }
    dispatch();
    maybe_finish();
  }

  void dispatch() {
    if (o_.rate > 0) {
      while (!pending_.empty() && !idle_.empty()) {
        Job job = pending_.front();
        pending_.pop_front();
        Connection* c = idle_.back();
        idle_.pop_back();
        send(*c, job);
      }
      return;
    }
    // Closed loop: every idle connection sends at once while the budget lasts.
    while (!idle_.empty()) {
      auto now = Clock::now();
      if (now >= end_ || (o_.requests > 0 && scheduled_ >= o_.requests)) {
        scheduling_done_ = true;
        break;
      }
      Connection* c = idle_.back();
      idle_.pop_back();
      ++scheduled_;
      send(*c, {now, now >= record_from_});
    }
    maybe_finish();
  }

  void send(Connection& c, Job job) {
    RequestSpec spec = scenario_.next();
    c.job = job;
    c.items = spec.items;
    c.busy = true;
    ++in_flight_;
    c.request = {};
    c.request.method(spec.method);
    c.request.target(spec.target);
    c.request.version(11);
    c.request.set(http::field::host, "127.0.0.1");
    c.request.set(http::field::user_agent, "machi_loadgen");
    if (!token_.empty()) c.request.set(http::field::authorization, token_);
    c.request.keep_alive(true);
    if (!spec.body.empty()) {
      c.request.set(http::field::content_type, "application/json");
      c.request.body() = std::move(spec.body);
    }
    c.request.prepare_payload();
    if (!c.connected) {
      reconnect(c);
      return;
    }
    write(c);
  }

  void reconnect(Connection& c) {
    beast::error_code ignored;
    c.socket.close(ignored);
    c.buffer.clear();
    c.socket.async_connect(endpoint_, [this, &c](beast::error_code ec) {
      if (ec) {
        fail(c, "connect");
        return;
      }
      c.socket.set_option(tcp::no_delay(true));
      c.connected = true;
      write(c);
    });
  }

  void write(Connection& c) {
    ++sent_;
    http::async_write(c.socket, c.request, [this, &c](beast::error_code ec, size_t) {
      if (ec) {
        fail(c, "write");
        return;
      }
      c.parser.emplace();
      c.parser->body_limit(64 * 1024 * 1024);
      http::async_read(c.socket, c.buffer, *c.parser, [this, &c](beast::error_code ec, size_t) {
        if (ec) {
          fail(c, "read");
          return;
        }
        done(c, c.parser->get().result_int(), c.parser->get().keep_alive());
      });
    });
  }

  void fail(Connection& c, const char* what) {
    ++transport_errors_[what];
    c.connected = false;
    beast::error_code ignored;
    c.socket.close(ignored);
    finish_job(c, false, 0);
  }

  void done(Connection& c, unsigned status, bool keep_alive) {
    ++status_[status];
    // 207 is a partial batch failure: not a success.
    bool ok = status >= 200 && status < 300 && status != 207;
    if (!keep_alive) {
      c.connected = false;
      beast::error_code ignored;
      c.socket.close(ignored);
    }
    finish_job(c, ok, status);
  }

  void finish_job(Connection& c, bool ok, unsigned /*status*/) {
    auto now = Clock::now();
    c.busy = false;
    --in_flight_;
    if (c.job.record) {
      if (ok) {
        ++ok_;
        items_ok_ += c.items;
        latencies_.push_back(std::chrono::duration<double, std::milli>(now - c.job.scheduled).count());
      } else {
        ++errors_;
      }
      if (first_recorded_ == Clock::time_point{}) first_recorded_ = c.job.scheduled;
      last_done_ = now;
    }
    idle_.push_back(&c);
    dispatch();
    maybe_finish();
  }

  void maybe_finish() {
    if (scheduling_done_ && pending_.empty() && in_flight_ == 0) {
      tick_.cancel();
      deadline_timer_.cancel();
      io_.stop();
    }
  }

  static double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    if (rank > 0) --rank;
    return sorted[std::min(rank, sorted.size() - 1)];
  }

  void report() {
    // Jobs never answered by the deadline: queued or in flight.
    long timed_out = static_cast<long>(pending_.size()) + in_flight_;
    long recorded_timeouts = 0;
    for (const Job& j : pending_) recorded_timeouts += j.record ? 1 : 0;
    for (const auto& c : connections_) recorded_timeouts += c->busy && c->job.record ? 1 : 0;
    errors_ += recorded_timeouts;
    std::sort(latencies_.begin(), latencies_.end());
    double measured_s;
    if (o_.rate > 0) {
      measured_s = o_.duration;  // scheduled requests over the scheduling window
    } else {
      auto from = first_recorded_ == Clock::time_point{} ? record_from_ : first_recorded_;
      auto to = last_done_ == Clock::time_point{} ? finished_at_ : last_done_;
      measured_s = std::max(1e-9, std::chrono::duration<double>(to - from).count());
    }
    long recorded = ok_ + errors_;
    std::printf("{\"scenario\":\"%s\",\"mode\":\"%s\",\"rate\":%.3f,\"duration_s\":%.3f,\"connections\":%d,", o_.scenario.c_str(),
                o_.rate > 0 ? "open" : "closed", o_.rate, measured_s, o_.connections);
    std::printf("\"scheduled\":%ld,\"sent\":%ld,\"recorded\":%ld,\"ok\":%ld,\"errors\":%ld,\"timed_out\":%ld,", scheduled_,
                sent_, recorded, ok_, errors_, timed_out);
    std::printf("\"achieved_rate\":%.3f,\"items_per_second\":%.3f,", static_cast<double>(ok_) / measured_s,
                static_cast<double>(items_ok_) / measured_s);
    std::printf("\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,",
                percentile(latencies_, 50), percentile(latencies_, 90), percentile(latencies_, 95),
                percentile(latencies_, 99), percentile(latencies_, 99.9), latencies_.empty() ? 0.0 : latencies_.back());
    std::printf("\"status\":{");
    bool first = true;
    for (const auto& [code, n] : status_) {
      std::printf("%s\"%u\":%ld", first ? "" : ",", code, n);
      first = false;
    }
    std::printf("},\"transport_errors\":{");
    first = true;
    for (const auto& [what, n] : transport_errors_) {
      std::printf("%s\"%s\":%ld", first ? "" : ",", what.c_str(), n);
      first = false;
    }
    std::printf("}}\n");
  }

  Options o_;
  asio::io_context io_;
  asio::steady_timer tick_{io_};
  asio::steady_timer deadline_timer_{io_};
  std::mt19937_64 rng_;
  Scenario scenario_;
  tcp::endpoint endpoint_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> idle_;
  std::deque<Job> pending_;
  Clock::time_point start_, record_from_, end_, deadline_, finished_at_, first_recorded_, last_done_;
  long scheduled_ = 0, sent_ = 0, ok_ = 0, errors_ = 0, items_ok_ = 0, in_flight_ = 0;
  bool scheduling_done_ = false;
  std::vector<double> latencies_;
  std::map<unsigned, long> status_;
  std::map<std::string, long> transport_errors_;
  // "Bearer <token>" from MACHI_BENCH_TOKEN, or empty.
  std::string token_ = [] {
    const char* t = std::getenv("MACHI_BENCH_TOKEN");
    return t && *t ? "Bearer " + std::string(t) : std::string();
  }();
};

}  // namespace

int main(int argc, char** argv) {
  Options options = parse_options(argc, argv);
  try {
    Driver driver(options);
    return driver.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "machi_loadgen: %s\n", e.what());
    return 1;
  }
}
