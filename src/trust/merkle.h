// The Merkle tree of RFC 6962 section 2.1 with SHA-256, as pure functions:
// no storage, no I/O.
//
//   leaf hash  = SHA-256(0x00 || leaf input)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH({})    = SHA-256("")
//   MTH(D[n])  = node hash(MTH(D[0:k]), MTH(D[k:n])), k the largest power
//                of two below n
//
// Every left child in that recursion is a perfect subtree aligned to its
// size (NodeRef). A store that keeps the hash of each perfect subtree once
// it is complete can therefore answer any proof with O(log n) lookups: the
// proof elements are MTHs of leaf ranges (inclusion_ranges,
// consistency_ranges), and each range is a short run of perfect subtrees
// (perfect_cover) folded from the right (fold_cover). The list-based
// functions below do the same over leaf hashes held in memory.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace machi::trust {

using Hash = std::array<unsigned char, 32>;

// The perfect subtree of 2^level leaves [index << level, (index + 1) << level).
// Level 0 is a single leaf.
struct NodeRef {
  int level = 0;
  uint64_t index = 0;
  bool operator==(const NodeRef&) const = default;
};

// Leaves [begin, end).
struct LeafRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  bool operator==(const LeafRange&) const = default;
};

Hash sha256(std::string_view bytes);
// The same digest as a byte string (cache keys, base64url encodings).
std::string sha256_bytes(std::string_view bytes);
// SHA-256 of the concatenation, without building it.
Hash sha256(std::string_view first, std::string_view second);
Hash leaf_hash(std::string_view leaf_input);
Hash node_hash(const Hash& left, const Hash& right);
Hash empty_root();  // MTH of no leaves: SHA-256 of the empty string

// MTH of a list of leaf hashes (already hashed with leaf_hash).
Hash root_of(std::span<const Hash> leaf_hashes);

// The leaf ranges whose MTHs are, in order, the elements of PATH(index,
// D[size]) (section 2.1.1; requires index < size) and of PROOF(first,
// D[second]) (section 2.1.2; requires 0 < first <= second).
std::vector<LeafRange> inclusion_ranges(uint64_t index, uint64_t size);
std::vector<LeafRange> consistency_ranges(uint64_t first, uint64_t second);

// The perfect subtrees, left to right and largest first, that a range of
// the RFC's recursion is made of: its begin is a multiple of the smallest
// power of two not below its length (true of every subtree of D[n]).
// Throws std::invalid_argument for any other range.
std::vector<NodeRef> perfect_cover(LeafRange range);
// MTH of such a range from the hashes of its cover: folded from the right.
Hash fold_cover(std::span<const Hash> cover);

// PATH(index, D[n]) and PROOF(first, D[n]) over all n leaf hashes.
std::vector<Hash> inclusion_path(std::span<const Hash> leaf_hashes, uint64_t index);
std::vector<Hash> consistency_proof(std::span<const Hash> leaf_hashes, uint64_t first);

// The verification algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2
// (the same tree as RFC 6962). verify_consistency holds for first ==
// second with an empty proof and equal roots; first == 0 is refused, as
// RFC 6962 defines proofs only for 0 < first.
bool verify_inclusion(const Hash& leaf_hash, uint64_t index, uint64_t size, std::span<const Hash> path,
                      const Hash& root);
bool verify_consistency(uint64_t first, uint64_t second, const Hash& first_root, const Hash& second_root,
                        std::span<const Hash> proof);

// The right edge of a growing tree: the hashes of the perfect subtrees of
// perfect_cover({0, size}), enough to append leaves and to compute the root
// without reading anything else.
class Frontier {
 public:
  using Completed = std::vector<std::pair<NodeRef, Hash>>;

  Frontier() = default;
  // cover: the hashes of perfect_cover({0, size}), in that order.
  Frontier(uint64_t size, std::span<const Hash> cover);

  uint64_t size() const { return size_; }
  // Appends one leaf hash; adds the perfect subtrees of level >= 1 that it
  // completes to *completed, lowest first.
  void push(const Hash& leaf_hash, Completed* completed);
  Hash root() const;

 private:
  uint64_t size_ = 0;
  std::array<Hash, 64> levels_{};  // levels_[l] valid when bit l of size_ is set
};

}  // namespace machi::trust
