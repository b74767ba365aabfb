// The machi command line: `machi serve`, `machi demo`, `machi sim`,
// `machi --version`; more subcommands (ledger, qol) arrive with their modules.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/demo.h"
#include "cli/ledger.h"
#include "cli/serve.h"
#include "cli/sim.h"
#include "core/version.h"

namespace {

void usage(FILE* out) {
  std::fprintf(out,
               "usage: machi <command> [options]\n"
               "\n"
               "commands:\n"
               "  serve --port P --data DIR [--host 127.0.0.1] [--durability full|process]\n"
               "        [--max-body BYTES] [--entity-cache-mb MB] [--context-allow URL-PREFIX]...\n"
               "        [--context-timeout-ms MS]\n"
               "        [--ngsiv2-context URL]\n"
               "        [--web DIR] [--oidc-config FILE] [--token-lifetime SECONDS]\n"
               "        [--notify-workers N] [--notify-initial-backoff-ms MS] [--notify-max-backoff-ms MS]\n"
               "        [--notify-max-pending N] [--notify-max-age-s S] [--notify-timeout-ms MS]\n"
               "        [--outbound-allow CIDR[,CIDR...]]...\n"
               "        [--iot-mqtt mqtt://HOST:PORT] [--iot-client-id ID]\n"
               "                      serve the NGSI-LD API, machi's own API and the web app; on first\n"
               "                      start the administrator 'admin' gets MACHI_ADMIN_PASSWORD (or a\n"
               "                      generated password, written to DIR/auth/initial-admin-password)\n"
               "  demo --port P --data DIR [--seed N] [--residents N] [--history-days D] [--host H]\n"
               "       [--web DIR] [--iot-mqtt mqtt://HOST:PORT]\n"
               "                      generate the synthetic city デモ市 on first start, then serve\n"
               "  sim episodes --persons N --days D --seed S --out FILE.csv [--start YYYY-MM-DD]\n"
               "                      write residents' daily activity episodes as CSV\n"
               "  routes              print every HTTP route (METHOD PATTERN)\n"
               "  ledger verify --data DIR\n"
               "                      recheck every tenant's access ledger (Merkle tree, commitments)\n"
               "  --version           print the version\n"
               "  --help              print this help\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    usage(stderr);
    return 2;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "--version" || command == "version") {
      std::printf("machi %s\n", machi::kVersion);
      return 0;
    }
    bool asks_help = std::find(args.begin(), args.end(), "--help") != args.end() ||
                     std::find(args.begin(), args.end(), "-h") != args.end();
    if (command == "--help" || command == "help" || command == "-h" || asks_help) {
      usage(stdout);
      return 0;
    }
    if (command == "routes") return machi::cli::print_routes();
    if (command == "serve") return machi::cli::serve(machi::cli::parse_serve_args(args));
    if (command == "demo") return machi::cli::demo(machi::cli::parse_demo_args(args));
    if (command == "sim") return machi::cli::sim(args);
    if (command == "ledger") return machi::cli::ledger(args);
    std::fprintf(stderr, "machi: unknown command '%s'\n\n", command.c_str());
    usage(stderr);
    return 2;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "machi: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "machi: %s\n", e.what());
    return 1;
  }
}
