#include "trust/merkle.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <memory>
#include <stdexcept>

#include "core/error.h"

namespace machi::trust {
namespace {

// Fetched once: EVP_sha256() would look the algorithm up at every init.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// One digest context per thread, reused: allocating one per hash costs
// more than hashing 65 bytes.
EVP_MD_CTX* thread_context() {
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return ctx.get();
}

template <size_t N>
Hash digest(const std::array<std::string_view, N>& parts) {
  EVP_MD_CTX* ctx = thread_context();
  Hash out;
  bool ok = ctx && sha256_md() && EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) == 1;
  for (std::string_view part : parts) ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx, out.data(), nullptr) == 1;
  if (!ok) throw Error(ErrorType::kInternalError, "SHA-256 failed");
  return out;
}

std::string_view bytes(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

// The largest power of two strictly below n (n >= 2).
uint64_t split_point(uint64_t n) { return std::bit_floor(n - 1); }

// MTH over leaf hashes, straight from the definition; the list-based proofs
// use it only for the ranges of a proof, never for a whole large tree.
Hash range_root(std::span<const Hash> leaves, LeafRange r) {
  if (r.end - r.begin == 1) return leaves[r.begin];
  uint64_t k = split_point(r.end - r.begin);
  return node_hash(range_root(leaves, {r.begin, r.begin + k}), range_root(leaves, {r.begin + k, r.end}));
}

std::vector<Hash> range_roots(std::span<const Hash> leaves, const std::vector<LeafRange>& ranges) {
  std::vector<Hash> out;
  out.reserve(ranges.size());
  for (const LeafRange& r : ranges) out.push_back(range_root(leaves, r));
  return out;
}

// Right-shifts fn and sn until fn is odd or zero (RFC 9162's step shared by
// both verifiers).
void shift_to_odd(uint64_t& fn, uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Hash sha256(std::string_view data) { return digest<1>({data}); }

Hash sha256(std::string_view first, std::string_view second) { return digest<2>({first, second}); }

std::string sha256_bytes(std::string_view bytes) {
  Hash h = sha256(bytes);
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

Hash leaf_hash(std::string_view leaf_input) { return digest<2>({std::string_view("\x00", 1), leaf_input}); }

Hash node_hash(const Hash& left, const Hash& right) {
  return digest<3>({std::string_view("\x01", 1), bytes(left), bytes(right)});
}

Hash empty_root() { return sha256(std::string_view()); }

Hash root_of(std::span<const Hash> leaf_hashes) {
  if (leaf_hashes.empty()) return empty_root();
  return range_root(leaf_hashes, {0, leaf_hashes.size()});
}

std::vector<LeafRange> inclusion_ranges(uint64_t index, uint64_t size) {
  if (index >= size) throw std::invalid_argument("inclusion_ranges: index must be below size");
  // Walks from the root down to the leaf, taking the sibling at each step;
  // the path lists them leaf first.
  std::vector<LeafRange> out;
  LeafRange at{0, size};
  while (at.end - at.begin > 1) {
    uint64_t mid = at.begin + split_point(at.end - at.begin);
    if (index < mid) {
      out.push_back({mid, at.end});
      at.end = mid;
    } else {
      out.push_back({at.begin, mid});
      at.begin = mid;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<LeafRange> consistency_ranges(uint64_t first, uint64_t second) {
  if (first == 0 || first > second) throw std::invalid_argument("consistency_ranges: needs 0 < first <= second");
  // SUBPROOF(m, D[n], b) unrolled: `whole` is the RFC's b, true while the
  // old tree's root is still the left edge of the current subtree (then the
  // verifier already knows MTH(D[0:m]) and it is left out).
  std::vector<LeafRange> out;
  LeafRange at{0, second};
  bool whole = true;
  while (first != at.end) {
    uint64_t mid = at.begin + split_point(at.end - at.begin);
    if (first <= mid) {
      out.push_back({mid, at.end});
      at.end = mid;
    } else {
      out.push_back({at.begin, mid});
      at.begin = mid;
      whole = false;
    }
  }
  if (!whole) out.push_back(at);
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<NodeRef> perfect_cover(LeafRange range) {
  if (range.end <= range.begin) throw std::invalid_argument("perfect_cover: empty range");
  uint64_t length = range.end - range.begin;
  if (range.begin % std::bit_ceil(length) != 0) throw std::invalid_argument("perfect_cover: unaligned range");
  std::vector<NodeRef> out;
  uint64_t at = range.begin;
  for (int level = 63; level >= 0; --level) {
    uint64_t block = uint64_t{1} << level;
    if (length & block) {
      out.push_back({level, at >> level});
      at += block;
    }
  }
  return out;
}

Hash fold_cover(std::span<const Hash> cover) {
  if (cover.empty()) throw std::invalid_argument("fold_cover: empty cover");
  Hash h = cover.back();
  for (size_t i = cover.size() - 1; i-- > 0;) h = node_hash(cover[i], h);
  return h;
}

std::vector<Hash> inclusion_path(std::span<const Hash> leaf_hashes, uint64_t index) {
  return range_roots(leaf_hashes, inclusion_ranges(index, leaf_hashes.size()));
}

std::vector<Hash> consistency_proof(std::span<const Hash> leaf_hashes, uint64_t first) {
  return range_roots(leaf_hashes, consistency_ranges(first, leaf_hashes.size()));
}

bool verify_inclusion(const Hash& leaf, uint64_t index, uint64_t size, std::span<const Hash> path, const Hash& root) {
  if (index >= size) return false;
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : path) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = node_hash(p, r);
      shift_to_odd(fn, sn);
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool verify_consistency(uint64_t first, uint64_t second, const Hash& first_root, const Hash& second_root,
                        std::span<const Hash> proof) {
  if (first == 0 || first > second) return false;
  if (first == second) return proof.empty() && first_root == second_root;
  if (proof.empty()) return false;
  // When the old tree is a perfect subtree, the proof leaves out its root
  // (the verifier has it): put it back in front.
  std::vector<Hash> path;
  if (std::has_single_bit(first)) path.push_back(first_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = first - 1, sn = second - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      shift_to_odd(fn, sn);
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && fr == first_root && sr == second_root;
}

Frontier::Frontier(uint64_t size, std::span<const Hash> cover) : size_(size) {
  std::vector<NodeRef> refs = size == 0 ? std::vector<NodeRef>{} : perfect_cover({0, size});
  if (refs.size() != cover.size()) throw std::invalid_argument("Frontier: cover does not match size");
  for (size_t i = 0; i < refs.size(); ++i) levels_[refs[i].level] = cover[i];
}

void Frontier::push(const Hash& leaf, Completed* completed) {
  // Like adding one to a binary counter: every set low bit of size is a
  // perfect subtree that the new leaf's carry completes.
  Hash carry = leaf;
  int level = 0;
  uint64_t position = size_;
  while (position & 1) {
    carry = node_hash(levels_[level], carry);
    ++level;
    position >>= 1;
    if (completed) completed->push_back({NodeRef{level, position}, carry});
  }
  levels_[level] = carry;
  ++size_;
}

Hash Frontier::root() const {
  if (size_ == 0) return empty_root();
  int lowest = std::countr_zero(size_);
  Hash h = levels_[lowest];
  for (int level = lowest + 1; level < 64; ++level) {
    if (size_ & (uint64_t{1} << level)) h = node_hash(levels_[level], h);
  }
  return h;
}

}  // namespace machi::trust
