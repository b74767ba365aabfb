// The machi command line: `machi serve`, `machi --version`; more
// subcommands (demo, ledger, qol) arrive with their modules.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/serve.h"
#include "core/version.h"

namespace {

void usage(FILE* out) {
  std::fprintf(out,
               "usage: machi <command> [options]\n"
               "\n"
               "commands:\n"
               "  serve --port P --data DIR [--host 127.0.0.1] [--durability full|process]\n"
               "        [--max-body BYTES] [--context-allow URL-PREFIX]... [--context-timeout-ms MS]\n"
               "        [--web DIR]\n"
               "                      serve the NGSI-LD API and the web app\n"
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
    if (command == "--help" || command == "help" || command == "-h") {
      usage(stdout);
      return 0;
    }
    if (command == "serve") return machi::cli::serve(machi::cli::parse_serve_args(args));
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
