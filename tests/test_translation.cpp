// The translation service (translation/translator.h): its settings derive from Config in one
// place; a set and a sentence are decoded by the decoders themselves (greedy for beam 1,
// beam search otherwise), bit for bit; the references' hard alignments are scored against
// gold as AER defines it.
#include <doctest/doctest.h>

#include "decode_fixtures.h"
#include "nmtx/decode/corpus.h"
#include "nmtx/translation/translator.h"

using namespace nmtx;
using namespace nmtx::test;

namespace {

// A vocabulary of the small model's 11 ids: the specials and t4 .. t10.
Vocab small_vocab() {
  std::vector<std::string> types;
  std::vector<std::size_t> counts;
  for (int i = 4; i < 11; ++i) {
    types.push_back("t" + std::to_string(i));
    counts.push_back(static_cast<std::size_t>(100 - i));  // t4 most frequent: id 4
  }
  return Vocab::build(types, counts, 0, 1);
}

EvalSet small_set(const std::vector<std::vector<int>>& sources, const std::vector<std::vector<int>>& targets,
                  const Vocab& vocab) {
  EvalSet set;
  set.name = "dev";
  for (std::size_t i = 0; i < sources.size(); ++i) {
    set.corpus.src.push_back(sources[i].data(), sources[i].size());
    set.corpus.tgt.push_back(targets[i].data(), targets[i].size());
    std::string reference;
    for (int id : targets[i]) reference += (reference.empty() ? "" : " ") + vocab.token(id);
    set.references.push_back(reference);
  }
  return set;
}

}  // namespace

TEST_CASE("evaluation settings come from the run's configuration, and the defaults are nmtx translate's") {
  Config config;
  config.validation.max_output_ratio = 1.5;
  config.validation.batch_size = 17;
  config.training.threads = 3;
  const TranslateSettings greedy = evaluation_settings(config);
  CHECK(greedy.beam == 1);
  CHECK(greedy.max_length_ratio == 1.5f);
  CHECK(greedy.batch == 17);
  CHECK(greedy.threads == 3);
  const TranslateSettings beam = evaluation_settings(config, 5, 0.6f);
  CHECK(beam.beam == 5);
  CHECK(beam.alpha == 0.6f);
  const DecodeOptions d = beam.decode_options();
  CHECK(d.bos == Vocab::kBos);
  CHECK(d.eos == Vocab::kEos);
  CHECK(d.max_length == 1000);
  CHECK(d.max_length_ratio == 1.5f);
  CHECK(d.threads == 3);
  const BeamOptions b = beam.beam_options();
  CHECK(b.beam_size == 5);
  CHECK(b.alpha == 0.6f);
  CHECK(b.n_best == 1);
  const TranslateSettings defaults;  // what `nmtx translate --help` shows
  CHECK(defaults.beam == 1);
  CHECK(defaults.max_length_ratio == 2.0f);
  CHECK(defaults.batch == 64);
}

TEST_CASE("a set is translated as the decoders translate it, and scored with corpus BLEU") {
  ParameterSet params(5);
  const Seq2Seq model(small_model_config("luong-general"), params);
  const Vocab vocab = small_vocab();
  REQUIRE(vocab.size() == 11);
  const auto segmenter = make_plain_segmenter(TokenLevel::word, false);
  const Translator translator{&model, &vocab, &vocab, segmenter.get()};
  const std::vector<std::vector<int>> sources = {{4, 5, 6, 7}, {8, 4}, {5, 5, 6, 9, 10}, {7}, {6, 6, 6}};
  const EvalSet set = small_set(sources, sources, vocab);
  TranslateSettings settings;
  settings.max_length = 9;
  for (std::size_t beam : {1, 3}) {
    CAPTURE(beam);
    settings.beam = beam;
    settings.batch = 1;  // each sentence decoded alone: bit for bit what the decoder gives it alone
    const SetTranslation t = translate_set(translator, set, settings, BleuOptions{});
    REQUIRE(t.hypotheses.size() == sources.size());
    REQUIRE(t.texts.size() == sources.size());
    DecodeOptions o;
    o.max_length = 9;
    o.max_length_ratio = 2.0f;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      CAPTURE(i);
      const Hypothesis want = beam == 1 ? greedy_decode(model, {sources[i]}, o).at(0)
                                        : beam_decode(model, {sources[i]}, o, {beam, 0.0f, 1}).at(0).at(0);
      CHECK(t.hypotheses[i].tokens == want.tokens);
      CHECK(t.hypotheses[i].log_prob == want.log_prob);
      CHECK(t.hypotheses[i].attention.weights == want.attention.weights);
      CHECK(t.texts[i] == hypothesis_text(want, vocab, *segmenter));
    }
    CHECK(t.bleu.score == corpus_bleu(t.texts, {set.references}).score);
    settings.batch = 2;  // several batches of sentences sorted by length: the same, back in set order
    const SetTranslation batched = translate_set(translator, set, settings, BleuOptions{});
    CHECK(batched.texts == t.texts);
  }
  // One sentence with its tree: greedy's at beam 1, beam search's otherwise.
  for (std::size_t beam : {1, 4}) {
    CAPTURE(beam);
    settings.beam = beam;
    BeamTree tree;
    const std::vector<Hypothesis> one = translate_sentence(translator, sources[2], settings, &tree);
    REQUIRE(one.size() == 1);
    std::vector<BeamTree> want;
    beam_decode(model, {sources[2]}, settings.decode_options(), settings.beam_options(), &want);
    REQUIRE(want.size() == 1);
    REQUIRE(tree.nodes.size() == want[0].nodes.size());
    CHECK(tree.results == want[0].results);
  }
}

TEST_CASE("references' hard alignments against gold: AER and argmax accuracy, per sentence and over the set") {
  // Sentence 0: argmax links 1-0 0-1 (</s> row left out); gold sure {1-0}, possible {1-0, 0-1}:
  // AER 1 - (|A∩S| + |A∩P|) / (|A| + |S|) = 1 - (1 + 2) / (2 + 1) = 0; accuracy 2/2.
  // Sentence 1: link 0-0; gold sure {1-0}: AER 1 - 0 / 2 = 1; accuracy 0.
  // Over the set: |A| 3, |S| 2, |A∩S| 1, |A∩P| 2: AER 1 - 3/5 = 0.4; accuracy 2/3.
  std::vector<SentenceAttention> sentences(2);
  sentences[0].eos = true;
  sentences[0].attention.weights = {{0.1f, 0.9f}, {0.8f, 0.2f}, {0.5f, 0.5f}};
  sentences[1].eos = true;
  sentences[1].attention.weights = {{0.7f, 0.3f}, {0.0f, 1.0f}};
  std::vector<AlignmentLine> gold(2);
  gold[0].sure = {{1, 0}};
  gold[0].possible = {{1, 0}, {0, 1}};
  gold[1].sure = gold[1].possible = {{1, 0}};
  const GoldAgreement a = agreement_with_gold(sentences, gold);
  REQUIRE(a.sentence_aer.size() == 2);
  REQUIRE(a.sentence_accuracy.size() == 2);
  CHECK(a.sentence_aer[0] == doctest::Approx(0.0));
  CHECK(a.sentence_aer[1] == doctest::Approx(1.0));
  CHECK(a.sentence_accuracy[0] == doctest::Approx(1.0));
  CHECK(a.sentence_accuracy[1] == doctest::Approx(0.0));
  CHECK(a.aer == doctest::Approx(0.4));
  CHECK(a.argmax_accuracy == doctest::Approx(2.0 / 3.0));
  gold.pop_back();
  CHECK_THROWS_AS(agreement_with_gold(sentences, gold), std::invalid_argument);
}
