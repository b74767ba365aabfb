#include "trust/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <string>
#include <vector>

#include "trust/encoding.h"

namespace machi::trust {
namespace {

// The standard RFC 6962 test vectors of the certificate-transparency
// project (its C++ merkle_tree_test.cc), as carried over into
// google/trillian merkle/log_verifier_test.go: eight leaf inputs, the roots
// of the trees of their first 1..8 leaves, audit paths and consistency
// proofs. Indices here are 0-based (trillian's inclusion vectors count
// leaves from 1).
const std::vector<std::string> kLeafInputs = {
    std::string(),
    std::string("\x00", 1),
    "\x10",
    "\x20\x21",
    "\x30\x31",
    "\x40\x41\x42\x43",
    "\x50\x51\x52\x53\x54\x55\x56\x57",
    "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
};

const std::vector<std::string> kRoots = {
    // index = tree size - 1
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

const std::string kEmptyRoot = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct InclusionVector {
  uint64_t index, size;
  std::vector<std::string> path;
};

const std::vector<InclusionVector> kInclusion = {
    {0, 1, {}},
    {0, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5, 8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1, 5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

struct ConsistencyVector {
  uint64_t first, second;
  std::vector<std::string> proof;
};

const std::vector<ConsistencyVector> kConsistency = {
    {1, 1, {}},
    {1, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

Hash hash_of(const std::string& hex) {
  std::string raw = from_hex(hex).value();
  Hash h;
  std::copy(raw.begin(), raw.end(), h.begin());
  return h;
}

std::vector<Hash> hashes_of(const std::vector<std::string>& hexes) {
  std::vector<Hash> out;
  for (const auto& h : hexes) out.push_back(hash_of(h));
  return out;
}

std::vector<std::string> hexes_of(const std::vector<Hash>& hashes) {
  std::vector<std::string> out;
  for (const auto& h : hashes) out.push_back(to_hex(h));
  return out;
}

std::vector<Hash> vector_leaf_hashes(size_t n) {
  std::vector<Hash> out;
  for (size_t i = 0; i < n; ++i) out.push_back(leaf_hash(kLeafInputs[i]));
  return out;
}

// ---- a naive reference: RFC 6962 section 2.1 read literally, over leaf
// inputs, with only SHA-256 of explicitly concatenated bytes ----

using Leaves = std::vector<std::string>;

std::string raw(const Hash& h) { return std::string(reinterpret_cast<const char*>(h.data()), h.size()); }

uint64_t largest_power_below(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Leaves slice(const Leaves& d, uint64_t begin, uint64_t end) { return Leaves(d.begin() + begin, d.begin() + end); }

Hash naive_mth(const Leaves& d) {
  if (d.empty()) return sha256(std::string());
  if (d.size() == 1) return sha256(std::string(1, '\0') + d[0]);
  uint64_t k = largest_power_below(d.size());
  return sha256("\x01" + raw(naive_mth(slice(d, 0, k))) + raw(naive_mth(slice(d, k, d.size()))));
}

std::vector<Hash> naive_path(uint64_t m, const Leaves& d) {
  if (d.size() == 1) return {};
  uint64_t k = largest_power_below(d.size());
  std::vector<Hash> out;
  if (m < k) {
    out = naive_path(m, slice(d, 0, k));
    out.push_back(naive_mth(slice(d, k, d.size())));
  } else {
    out = naive_path(m - k, slice(d, k, d.size()));
    out.push_back(naive_mth(slice(d, 0, k)));
  }
  return out;
}

std::vector<Hash> naive_subproof(uint64_t m, const Leaves& d, bool b) {
  uint64_t n = d.size();
  if (m == n) return b ? std::vector<Hash>{} : std::vector<Hash>{naive_mth(d)};
  uint64_t k = largest_power_below(n);
  std::vector<Hash> out;
  if (m <= k) {
    out = naive_subproof(m, slice(d, 0, k), b);
    out.push_back(naive_mth(slice(d, k, n)));
  } else {
    out = naive_subproof(m - k, slice(d, k, n), false);
    out.push_back(naive_mth(slice(d, 0, k)));
  }
  return out;
}

std::vector<Hash> leaf_hashes_of(const Leaves& d) {
  std::vector<Hash> out;
  for (const auto& leaf : d) out.push_back(leaf_hash(leaf));
  return out;
}

Leaves random_leaves(std::mt19937& rng, size_t n) {
  Leaves out;
  for (size_t i = 0; i < n; ++i) {
    std::string leaf(rng() % 40, '\0');
    for (char& c : leaf) c = static_cast<char>(rng());
    out.push_back(leaf);
  }
  return out;
}

// The store's way: each range from the hashes of its perfect subtrees.
std::vector<Hash> via_covers(const Leaves& d, const std::vector<LeafRange>& ranges) {
  std::vector<Hash> out;
  for (const LeafRange& r : ranges) {
    std::vector<Hash> cover;
    for (const NodeRef& ref : perfect_cover(r)) {
      uint64_t begin = ref.index << ref.level, end = (ref.index + 1) << ref.level;
      cover.push_back(naive_mth(slice(d, begin, end)));
    }
    out.push_back(fold_cover(cover));
  }
  return out;
}

// ---- the published vectors ----

TEST(merkle, HashesOfTheVectors) {
  EXPECT_EQ(to_hex(empty_root()), kEmptyRoot);
  EXPECT_EQ(to_hex(root_of({})), kEmptyRoot);
  for (size_t n = 1; n <= 8; ++n) {
    EXPECT_EQ(to_hex(root_of(vector_leaf_hashes(n))), kRoots[n - 1]) << "size " << n;
  }
}

TEST(merkle, InclusionPathsOfTheVectors) {
  for (const auto& v : kInclusion) {
    std::vector<Hash> leaves = vector_leaf_hashes(v.size);
    EXPECT_EQ(hexes_of(inclusion_path(leaves, v.index)), v.path) << v.index << "/" << v.size;
    Hash root = hash_of(kRoots[v.size - 1]);
    std::vector<Hash> path = hashes_of(v.path);
    EXPECT_TRUE(verify_inclusion(leaves[v.index], v.index, v.size, path, root));
    // Any other position, size, leaf or root must fail.
    EXPECT_FALSE(verify_inclusion(leaves[v.index], v.index + 1, v.size, path, root));
    if (v.index > 0) {
      EXPECT_FALSE(verify_inclusion(leaves[v.index], v.index - 1, v.size, path, root));
    }
    EXPECT_FALSE(verify_inclusion(leaves[v.index], v.index, v.size * 2, path, root));
    EXPECT_FALSE(verify_inclusion(leaves[v.index], v.index, v.size / 2, path, root));
    EXPECT_FALSE(verify_inclusion(leaf_hash("WrongLeaf"), v.index, v.size, path, root));
    EXPECT_FALSE(verify_inclusion(leaves[v.index], v.index, v.size, path, empty_root()));
    for (size_t i = 0; i < path.size(); ++i) {
      std::vector<Hash> bad = path;
      bad[i] = empty_root();
      EXPECT_FALSE(verify_inclusion(leaves[v.index], v.index, v.size, bad, root));
    }
    std::vector<Hash> longer = path;
    longer.push_back(root);
    EXPECT_FALSE(verify_inclusion(leaves[v.index], v.index, v.size, longer, root));
    if (!path.empty()) {
      std::vector<Hash> shorter(path.begin(), path.end() - 1);
      EXPECT_FALSE(verify_inclusion(leaves[v.index], v.index, v.size, shorter, root));
    }
  }
}

TEST(merkle, ConsistencyProofsOfTheVectors) {
  for (const auto& v : kConsistency) {
    std::vector<Hash> leaves = vector_leaf_hashes(v.second);
    EXPECT_EQ(hexes_of(consistency_proof(leaves, v.first)), v.proof) << v.first << "->" << v.second;
    Hash root1 = hash_of(kRoots[v.first - 1]), root2 = hash_of(kRoots[v.second - 1]);
    std::vector<Hash> proof = hashes_of(v.proof);
    EXPECT_TRUE(verify_consistency(v.first, v.second, root1, root2, proof));
    if (proof.empty()) continue;
    EXPECT_FALSE(verify_consistency(v.first - 1, v.second, root1, root2, proof));
    EXPECT_FALSE(verify_consistency(v.first + 1, v.second, root1, root2, proof));
    EXPECT_FALSE(verify_consistency(v.first, v.second * 2, root1, root2, proof));
    EXPECT_FALSE(verify_consistency(v.first, v.second, root2, root1, proof));
    EXPECT_FALSE(verify_consistency(v.first, v.second, empty_root(), root2, proof));
    EXPECT_FALSE(verify_consistency(v.first, v.second, root1, empty_root(), proof));
    EXPECT_FALSE(verify_consistency(v.first, v.second, root1, root2, {}));
    for (size_t i = 0; i < proof.size(); ++i) {
      std::vector<Hash> bad = proof;
      bad[i] = empty_root();
      EXPECT_FALSE(verify_consistency(v.first, v.second, root1, root2, bad));
    }
    std::vector<Hash> longer = proof;
    longer.push_back(root1);
    EXPECT_FALSE(verify_consistency(v.first, v.second, root1, root2, longer));
    std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
    EXPECT_FALSE(verify_consistency(v.first, v.second, root1, root2, shorter));
  }
}

TEST(merkle, ConsistencyEdgeCases) {
  Hash a = leaf_hash("a"), b = leaf_hash("b");
  EXPECT_TRUE(verify_consistency(3, 3, a, a, {}));
  EXPECT_FALSE(verify_consistency(3, 3, a, b, {}));
  EXPECT_FALSE(verify_consistency(3, 3, a, a, std::vector<Hash>{a}));
  EXPECT_FALSE(verify_consistency(0, 3, empty_root(), a, {}));  // RFC 6962 needs 0 < first
  EXPECT_FALSE(verify_consistency(4, 3, a, b, std::vector<Hash>{a}));
  EXPECT_THROW(consistency_ranges(0, 3), std::invalid_argument);
  EXPECT_THROW(consistency_ranges(4, 3), std::invalid_argument);
  EXPECT_THROW(inclusion_ranges(3, 3), std::invalid_argument);
  EXPECT_FALSE(verify_inclusion(a, 0, 0, {}, a));
}

// ---- cross-checks against the naive reference ----

TEST(merkle, MatchesTheNaiveReferenceForSizes1To70) {
  std::mt19937 rng(6962);
  for (uint64_t n = 1; n <= 70; ++n) {
    Leaves d = random_leaves(rng, n);
    std::vector<Hash> leaves = leaf_hashes_of(d);
    Hash root = naive_mth(d);
    ASSERT_EQ(root_of(leaves), root) << n;
    for (uint64_t m = 0; m < n; ++m) {
      std::vector<Hash> path = inclusion_path(leaves, m);
      ASSERT_EQ(path, naive_path(m, d)) << m << "/" << n;
      ASSERT_EQ(via_covers(d, inclusion_ranges(m, n)), path) << m << "/" << n;
      ASSERT_TRUE(verify_inclusion(leaves[m], m, n, path, root)) << m << "/" << n;
      // (The same path can hold for another size: the signed head binds
      // the size, not the proof.)
      if (n > 1) {
        ASSERT_FALSE(verify_inclusion(leaves[(m + 1) % n], m, n, path, root)) << m << "/" << n;
        std::vector<Hash> bad = path;
        bad[m % bad.size()][0] ^= 1;
        ASSERT_FALSE(verify_inclusion(leaves[m], m, n, bad, root)) << m << "/" << n;
      }
    }
    for (uint64_t m = 1; m <= n; ++m) {
      std::vector<Hash> proof = consistency_proof(leaves, m);
      ASSERT_EQ(proof, naive_subproof(m, d, true)) << m << "->" << n;
      ASSERT_EQ(via_covers(d, consistency_ranges(m, n)), proof) << m << "->" << n;
      Hash old_root = naive_mth(slice(d, 0, m));
      ASSERT_TRUE(verify_consistency(m, n, old_root, root, proof)) << m << "->" << n;
      if (m < n) {
        Hash other_root = old_root;
        other_root[0] ^= 1;
        ASSERT_FALSE(verify_consistency(m, n, other_root, root, proof)) << m << "->" << n;
        ASSERT_FALSE(verify_consistency(m, n, old_root, old_root, proof)) << m << "->" << n;
      }
    }
  }
}

TEST(merkle, FrontierGrowsLikeTheTree) {
  std::mt19937 rng(42);
  Leaves d = random_leaves(rng, 70);
  Frontier frontier;
  EXPECT_EQ(frontier.root(), empty_root());
  for (uint64_t n = 1; n <= d.size(); ++n) {
    Frontier::Completed completed;
    frontier.push(leaf_hash(d[n - 1]), &completed);
    ASSERT_EQ(frontier.size(), n);
    ASSERT_EQ(frontier.root(), naive_mth(slice(d, 0, n))) << n;
    // Every perfect subtree that the leaf completed, with its hash.
    int expected_count = std::countr_one(n - 1);
    ASSERT_EQ(completed.size(), static_cast<size_t>(expected_count)) << n;
    for (const auto& [ref, hash] : completed) {
      uint64_t begin = ref.index << ref.level, end = (ref.index + 1) << ref.level;
      ASSERT_EQ(end, n);
      ASSERT_EQ(hash, naive_mth(slice(d, begin, end)));
    }
    // A frontier rebuilt from the stored cover goes on the same way.
    std::vector<Hash> cover;
    for (const NodeRef& ref : perfect_cover({0, n})) {
      cover.push_back(naive_mth(slice(d, ref.index << ref.level, (ref.index + 1) << ref.level)));
    }
    Frontier rebuilt(n, cover);
    ASSERT_EQ(rebuilt.root(), frontier.root());
  }
}

TEST(merkle, PerfectCoverRefusesUnalignedRanges) {
  EXPECT_EQ(perfect_cover({0, 7}), (std::vector<NodeRef>{{2, 0}, {1, 2}, {0, 6}}));
  EXPECT_EQ(perfect_cover({8, 11}), (std::vector<NodeRef>{{1, 4}, {0, 10}}));
  EXPECT_THROW(perfect_cover({2, 5}), std::invalid_argument);
  EXPECT_THROW(perfect_cover({4, 4}), std::invalid_argument);
}

}  // namespace
}  // namespace machi::trust
