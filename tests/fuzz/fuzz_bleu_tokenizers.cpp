// sacreBLEU's tokenisers (13a, intl), its whitespace and lowercasing, and sentence BLEU and
// chrF/chrF++ over them. Input: hypothesis and reference separated by the first '\n'
// (read_lines hands them any bytes a line can hold). They never throw, but for the
// documented error of a hypothesis without a non-empty reference.
#include <stdexcept>

#include "fuzz.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/eval/chrf.h"
#include "nmtx/eval/tokenize.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nmtx;
  const std::string_view bytes = fuzz::text(data, size);
  const std::size_t cut = bytes.find('\n');
  const std::string hyp(bytes.substr(0, cut));
  const std::string ref(cut == std::string_view::npos ? std::string_view() : bytes.substr(cut + 1));
  tokenize_13a(hyp);
  tokenize_intl(hyp);
  full_lowercase(hyp);
  split_whitespace(hyp);
  rstrip_whitespace(hyp);
  for (BleuTokenizer t : {BleuTokenizer::t13a, BleuTokenizer::intl, BleuTokenizer::none}) {
    BleuOptions o;
    o.tokenize = t;
    o.lowercase = t == BleuTokenizer::intl;
    fuzz::expect_value_or_error<std::invalid_argument>("no non-empty reference", [&] {
      const Bleu b = sentence_bleu(hyp, {ref}, o);
      if (!(b.score >= 0.0 && b.score <= 100.0 + 1e-9)) std::abort();
    });
  }
  ChrfOptions chrf_pp;
  chrf_pp.word_order = 2;
  for (const ChrfOptions& o : {ChrfOptions{}, chrf_pp}) {
    fuzz::expect_value_or_error<std::invalid_argument>("no non-empty reference", [&] {
      const Chrf c = corpus_chrf({hyp}, {{ref}}, o);
      if (!(c.score >= 0.0 && c.score <= 100.0 + 1e-9)) std::abort();
    });
  }
  return 0;
}
