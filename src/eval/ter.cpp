#include "nmtx/eval/ter.h"

#include <fmt/core.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "nmtx/eval/reference_sets.h"
#include "nmtx/eval/tokenize.h"

namespace nmtx {

namespace {

constexpr int kMaxShiftSize = 10, kMaxShiftDistance = 50, kBeamWidth = 25;
constexpr std::size_t kMaxCacheSize = 10000, kMaxShiftCandidates = 1000;
constexpr long long kInfinity = 10000000000000000LL;  // int(1e16)
constexpr char kIns = 'i', kDel = 'd', kNop = ' ', kSub = 's', kUndefined = 'x';

bool is_ascii_digit_ter(char c) { return c >= '0' && c <= '9'; }

// `from` replaced by `to` everywhere, left to right (re.sub with a literal pattern).
std::string replace_literal_ter(const std::string& s, const std::string& from, const std::string& to) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t hit; (hit = s.find(from, at)) != std::string::npos; at = hit + from.size()) out += s.substr(at, hit - at) + to;
  return out + s.substr(at);
}

// re.sub of a two-character pattern: left to right, each match (a, b) replaced by
// emit(a, b) and scanning resumed after it, as Python's non-overlapping matches.
template <class Match, class Emit>
std::string rewrite_pairs(const std::string& s, Match matches, Emit emit) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (i + 1 < s.size() && matches(s[i], s[i + 1])) {
      out += emit(s[i], s[i + 1]);
      i += 2;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// tercom's Western normalisation (_normalize_general_and_western), its regular
// expressions applied in order. They test ASCII characters only, so scanning UTF-8 bytes
// finds the matches Python finds scanning code points.
std::string normalize_western(std::string s) {
  s = replace_literal_ter(s, "\n-", "");
  s = replace_literal_ter(s, "\n", " ");
  s = replace_literal_ter(s, "&quot;", "\"");
  s = replace_literal_ter(s, "&amp;", "&");
  s = replace_literal_ter(s, "&lt;", "<");
  s = replace_literal_ter(s, "&gt;", ">");
  s = " " + s + " ";
  std::string t;  // ([{-~[-` -&(-+:-@/]) -> " \1 "
  for (char c : s) {
    const bool punct = (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
                       (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
    if (punct) t += std::string(" ") + c + " ";
    else t += c;
  }
  t = replace_literal_ter(t, "'s ", " 's ");
  if (t.size() >= 2 && t.compare(t.size() - 2, 2, "'s") == 0) t = t.substr(0, t.size() - 2) + " 's";  // 's$
  // ([^0-9])([\.,]) -> "\1 \2 ", then ([\.,])([^0-9]) -> " \1 \2", then ([0-9])(-) -> "\1 \2 "
  const auto period_or_comma = [](char c) { return c == '.' || c == ','; };
  t = rewrite_pairs(t, [&](char a, char b) { return !is_ascii_digit_ter(a) && period_or_comma(b); },
                    [](char a, char b) { return std::string(1, a) + " " + b + " "; });
  t = rewrite_pairs(t, [&](char a, char b) { return period_or_comma(a) && !is_ascii_digit_ter(b); },
                    [](char a, char b) { return std::string(" ") + a + " " + b; });
  return rewrite_pairs(t, [](char a, char b) { return is_ascii_digit_ter(a) && b == '-'; },
                       [](char a, char) { return std::string(1, a) + " - "; });
}

std::vector<std::string> ter_words(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view w : split_whitespace(text)) out.emplace_back(w);
  return out;
}

using Cell = std::pair<long long, char>;  // cost, the operation that reached the cell
using Row = std::vector<Cell>;

// sacreBLEU's BeamEditDistance: the edit distance of hypotheses to one reference on a beam
// around the diagonal, rows cached in a trie of hypothesis prefixes.
class BeamEditDistance {
 public:
  explicit BeamEditDistance(const std::vector<std::string>& reference) : ref_(reference) {
    for (std::size_t j = 0; j <= ref_.size(); ++j) initial_row_.emplace_back(static_cast<long long>(j), kIns);
  }

  // (distance, trace of operations rewriting the hypothesis into the reference)
  std::pair<long long, std::string> operator()(const std::vector<std::string>& hyp) {
    // _find_cache
    std::vector<const Row*> rows{&initial_row_};
    Node* node = &root_;
    std::size_t start = 0;
    for (const std::string& word : hyp) {
      auto it = node->next.find(word);
      if (it == node->next.end()) break;
      ++start;
      rows.push_back(&it->second.row);
      node = it->second.child.get();
    }
    // _edit_distance
    const std::size_t n = hyp.size(), m = ref_.size();
    std::vector<Row> fresh(n - start, Row(m + 1, Cell{kInfinity, kUndefined}));
    // Rows 0..start come from the cache (read only); the rest are computed here.
    auto row = [&](std::size_t i) -> const Row& { return i <= start ? *rows[i] : fresh[i - start - 1]; };
    const double ratio = hyp.empty() ? 1.0 : static_cast<double>(m) / static_cast<double>(n);
    const long long beam = kBeamWidth < ratio / 2 ? static_cast<long long>(std::ceil(ratio / 2 + kBeamWidth)) : kBeamWidth;
    for (std::size_t i = start + 1; i <= n; ++i) {
      const auto diagonal = static_cast<long long>(std::floor(static_cast<double>(i) * ratio));
      const long long min_j = std::max(0LL, diagonal - beam);
      long long max_j = std::min(static_cast<long long>(m) + 1, diagonal + beam);
      if (i == n) max_j = static_cast<long long>(m) + 1;
      Row& cur = fresh[i - start - 1];
      const Row& prev = row(i - 1);
      for (long long jj = min_j; jj < max_j; ++jj) {
        const auto j = static_cast<std::size_t>(jj);
        if (j == 0) {
          cur[0] = {prev[0].first + 1, kDel};
          continue;
        }
        const bool same = hyp[i - 1] == ref_[j - 1];
        const Cell options[3] = {{prev[j - 1].first + (same ? 0 : 1), same ? kNop : kSub},
                                 {prev[j].first + 1, kDel},
                                 {cur[j - 1].first + 1, kIns}};
        for (const Cell& o : options) {
          if (cur[j].first > o.first) cur[j] = o;
        }
      }
    }
    std::string trace;
    for (std::size_t i = n, j = m; i > 0 || j > 0;) {
      const char op = row(i)[j].second;
      trace.insert(trace.begin(), op);
      if (op == kSub || op == kNop) {
        --i;
        --j;
      } else if (op == kIns) {
        --j;
      } else if (op == kDel) {
        --i;
      } else {
        throw std::logic_error("TER: the edit distance's trace left its beam");
      }
    }
    const long long distance = row(n)[m].first;
    // _add_cache
    if (cache_size_ < kMaxCacheSize) {
      Node* at = &root_;
      for (std::size_t i = 0; i < start; ++i) at = at->next.at(hyp[i]).child.get();
      for (std::size_t i = start; i < n; ++i) {
        auto it = at->next.find(hyp[i]);
        if (it == at->next.end()) {
          it = at->next.emplace(hyp[i], Entry{std::make_unique<Node>(), std::move(fresh[i - start])}).first;
          ++cache_size_;
        }
        at = it->second.child.get();
      }
    }
    return {distance, trace};
  }

 private:
  struct Node;
  struct Entry {
    std::unique_ptr<Node> child;
    Row row;
  };
  struct Node {
    std::map<std::string, Entry> next;
  };
  const std::vector<std::string>& ref_;
  Row initial_row_;
  Node root_;
  std::size_t cache_size_ = 0;
};

std::vector<std::string> perform_shift(const std::vector<std::string>& w, std::size_t start, std::size_t length,
                                       std::size_t target) {
  std::vector<std::string> out;
  auto add = [&](std::size_t from, std::size_t to) {  // w[from:to] as Python slices: clamped to the list
    from = std::min(from, w.size());
    to = std::min(to, w.size());
    if (from < to) out.insert(out.end(), w.begin() + from, w.begin() + to);
  };
  if (target < start) {
    add(0, target);
    add(start, start + length);
    add(target, start);
    add(start + length, w.size());
  } else if (target > start + length) {
    add(0, start);
    add(start + length, target);
    add(start, start + length);
    add(target, w.size());
  } else {
    add(0, start);
    add(start + length, length + target);
    add(start, start + length);
    add(length + target, w.size());
  }
  return out;
}

struct ShiftResult {
  long long gain = 0;
  std::vector<std::string> words;
};

// _shift: the best shift of words_h towards words_r, counting the candidates tried.
ShiftResult best_shift(const std::vector<std::string>& h, const std::vector<std::string>& r, BeamEditDistance& ed,
                       std::size_t& checked) {
  const auto [pre_score, inverse_trace] = ed(h);
  // The trace flipped (insertions <-> deletions), then read as an alignment.
  std::map<long long, long long> align;  // reference position -> hypothesis position
  std::vector<int> ref_err, hyp_err;
  long long pos_h = -1, pos_r = -1;
  for (char op : inverse_trace) {
    op = op == kIns ? kDel : op == kDel ? kIns : op;
    if (op == kNop || op == kSub) {
      align[++pos_r] = ++pos_h;
      hyp_err.push_back(op == kSub);
      ref_err.push_back(op == kSub);
    } else if (op == kIns) {
      ++pos_h;
      hyp_err.push_back(1);
    } else {
      align[++pos_r] = pos_h;
      ref_err.push_back(1);
    }
  }
  using Candidate = std::tuple<long long, long long, long long, long long, std::vector<std::string>>;
  std::optional<Candidate> best;
  auto errors = [](const std::vector<int>& e, std::size_t from, std::size_t length) {
    int sum = 0;
    for (std::size_t k = from; k < from + length && k < e.size(); ++k) sum += e[k];
    return sum;
  };
  const std::size_t nh = h.size(), nr = r.size();
  for (std::size_t start_h = 0; start_h < nh && checked < kMaxShiftCandidates; ++start_h) {
    for (std::size_t start_r = 0; start_r < nr && checked < kMaxShiftCandidates; ++start_r) {
      if (std::llabs(static_cast<long long>(start_r) - static_cast<long long>(start_h)) > kMaxShiftDistance) continue;
      for (std::size_t length = 1; length <= static_cast<std::size_t>(kMaxShiftSize); ++length) {
        if (start_h + length > nh || start_r + length > nr || h[start_h + length - 1] != r[start_r + length - 1]) break;
        // (start_h, start_r, length): a phrase of the hypothesis that the reference has elsewhere
        if (errors(hyp_err, start_h, length) != 0 && errors(ref_err, start_r, length) != 0) {
          const auto at = align.find(static_cast<long long>(start_r));
          const bool inside = at != align.end() && static_cast<long long>(start_h) <= at->second &&
                              at->second < static_cast<long long>(start_h + length);
          if (!inside) {
            long long previous = -1;
            for (long long offset = -1; offset < static_cast<long long>(length); ++offset) {
              long long idx;
              if (static_cast<long long>(start_r) + offset == -1) {
                idx = 0;
              } else if (const auto a = align.find(static_cast<long long>(start_r) + offset); a != align.end()) {
                idx = a->second + 1;
              } else {
                break;
              }
              if (idx == previous) continue;
              previous = idx;
              std::vector<std::string> shifted = perform_shift(h, start_h, length, static_cast<std::size_t>(idx));
              const long long gain = pre_score - ed(shifted).first;
              Candidate c{gain, static_cast<long long>(length), -static_cast<long long>(start_h), -idx, std::move(shifted)};
              ++checked;
              if (!best || c > *best) best = std::move(c);
            }
          }
        }
        if (checked >= kMaxShiftCandidates) break;
        if (start_h + length == nh || start_r + length == nr) break;
      }
    }
  }
  if (!best) return {0, h};
  return {std::get<0>(*best), std::move(std::get<4>(*best))};
}

}  // namespace

std::string ter_tokenize(std::string_view sentence, const TerOptions& o) {
  std::string s(rstrip_whitespace(sentence));
  if (s.empty()) return "";
  if (!o.case_sensitive) s = full_lowercase(s);
  if (o.normalized) s = normalize_western(s);
  if (o.no_punct) {
    std::string kept;
    for (char c : s) {
      if (std::string_view(".,?:;!\"()").find(c) == std::string_view::npos) kept += c;
    }
    s = kept;
  }
  std::string out;
  for (std::string_view w : split_whitespace(s)) out += (out.empty() ? "" : " ") + std::string(w);
  return out;
}

int translation_edit_rate(const std::vector<std::string>& hypothesis, const std::vector<std::string>& reference) {
  if (reference.empty()) return static_cast<int>(hypothesis.size());
  BeamEditDistance ed(reference);
  int shifts = 0;
  std::vector<std::string> words = hypothesis;
  std::size_t checked = 0;
  while (true) {
    ShiftResult s = best_shift(words, reference, ed, checked);
    if (checked >= kMaxShiftCandidates) break;  // as sacreBLEU: the last search's shift is not taken
    if (s.gain <= 0) break;
    ++shifts;
    words = std::move(s.words);
  }
  return shifts + static_cast<int>(ed(words).first);
}

std::vector<double> ter_sentence_stats(const std::string& hypothesis, const std::vector<std::string>& references,
                                       const TerOptions& o) {
  const std::vector<std::string> hyp = ter_words(ter_tokenize(hypothesis, o));
  double lengths = 0.0;
  long long best = 10000000000000000LL;
  for (const std::string& reference : references) {
    // sacreBLEU tokenises a reference twice (its reference cache preprocesses each line,
    // then TER's reference info preprocesses it again); only --ter-normalized notices:
    // "nima's," becomes "nima's ," and then "nima 's ,".
    const std::vector<std::string> ref = ter_words(ter_tokenize(ter_tokenize(reference, o), o));
    const int edits = translation_edit_rate(hyp, ref);
    lengths += static_cast<double>(ref.size());
    if (edits < best) best = edits;
  }
  return {static_cast<double>(best), lengths / static_cast<double>(references.size())};
}

double ter_from_stats(const std::vector<double>& stats, bool float32) {
  const double edits = stats.at(0), length = stats.at(1);
  double rate;
  if (length > 0) {
    rate = float32 ? static_cast<double>(static_cast<float>(edits) / static_cast<float>(length)) : edits / length;
  } else {
    rate = edits > 0 ? 1.0 : 0.0;
  }
  return 100 * rate;
}

std::string Ter::str(int width) const { return fmt::format("TER = {:.{}f}", score, width); }

Ter corpus_ter(const std::vector<std::string>& hypotheses, const std::vector<std::vector<std::string>>& references,
               const TerOptions& o) {
  check_reference_sets("TER", hypotheses.size(), references);
  std::vector<double> total{0.0, 0.0};
  std::vector<std::string> refs(references.size());
  for (std::size_t i = 0; i < hypotheses.size(); ++i) {
    for (std::size_t k = 0; k < references.size(); ++k) refs[k] = references[k][i];
    const std::vector<double> s = ter_sentence_stats(hypotheses[i], refs, o);
    total[0] += s[0];
    total[1] += s[1];
  }
  return {ter_from_stats(total), total[0], total[1]};
}

std::string ter_signature(const TerOptions& o, std::size_t references) {
  return "nrefs:" + std::to_string(references) + "|case:" + (o.case_sensitive ? "mixed" : "lc") +
         "|tok:tercom|norm:" + (o.normalized ? "yes" : "no") + "|punct:" + (o.no_punct ? "no" : "yes") +
         "|asian:no|version:2.0.0";
}

}  // namespace nmtx
