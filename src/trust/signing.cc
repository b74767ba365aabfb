#include "trust/signing.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace machi::trust {
namespace {

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

[[noreturn]] void fail(const std::string& what) { throw Error(ErrorType::kInternalError, "ed25519: " + what); }

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free); }

std::string raw_public_key(EVP_PKEY* key) {
  size_t size = 0;
  if (EVP_PKEY_get_raw_public_key(key, nullptr, &size) != 1) fail("no public key");
  std::string out(size, '\0');
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(out.data()), &size) != 1) {
    fail("no public key");
  }
  return out;
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail("cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Publishes text as a new file of mode 0600: written and synced under a
// temporary name, then hard-linked into place, which fails when the file
// exists. So no reader ever sees half a key, and when two processes start
// together exactly one key wins. Returns false when another file won.
bool publish_new_file(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::path temp = file;
  temp += ".tmp" + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create " + temp.string() + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(temp.c_str());
    fail("cannot write " + temp.string() + ": " + std::strerror(saved));
  }
  int linked = ::link(temp.c_str(), file.c_str());
  saved = errno;
  ::unlink(temp.c_str());
  if (linked != 0 && saved != EEXIST) fail("cannot create " + file.string() + ": " + std::strerror(saved));
  int dir = ::open(file.parent_path().empty() ? "." : file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return linked == 0;
}

}  // namespace

SigningKey::SigningKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)), public_key_(raw_public_key(key_.get())) {}

SigningKey SigningKey::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (!key) fail("key generation failed");
  return SigningKey(own(key));
}

SigningKey SigningKey::from_pem(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!key) fail("not a PEM private key");
  auto owned = own(key);
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) fail("the PEM key is not an Ed25519 key");
  return SigningKey(owned);
}

SigningKey SigningKey::load_or_create(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) {
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    SigningKey key = generate();
    if (publish_new_file(file, key.private_pem())) return key;
  }
  return from_pem(read_file(file));
}

std::string SigningKey::sign(std::string_view message) const {
  // A context per call: EVP_PKEY may be shared between threads, a context
  // may not.
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) fail("sign init failed");
  std::string signature(64, '\0');
  size_t size = signature.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    fail("signing failed");
  }
  signature.resize(size);
  return signature;
}

std::string SigningKey::private_pem() const {
  Bio bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("cannot write PEM");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

bool verify_signature(std::string_view public_key, std::string_view message, std::string_view signature) {
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                              reinterpret_cast<const unsigned char*>(public_key.data()),
                                              public_key.size());
  if (!raw) return false;
  auto key = own(raw);
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

}  // namespace machi::trust
