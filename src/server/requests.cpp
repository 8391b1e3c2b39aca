#include "requests.h"

#include <fmt/core.h>

#include <stdexcept>

namespace nmtx {

using json = nlohmann::json;

JsonFields fields_of(const json& request) {
  if (!request.is_object()) throw RequestError(400, "request: expected a JSON object {...}");
  return JsonFields(request, "request");
}

std::vector<int> request_ids(const TrainedRun& run, const JsonFields& f, const char* field, bool source,
                             std::size_t max_bytes, std::size_t max_tokens, std::vector<std::string>& tokens) {
  if (!f.has(field)) throw RequestError(400, std::string("request: field \"") + field + "\": missing");
  const std::string text = f.string(field, max_bytes);
  std::vector<int> ids;
  try {
    ids = source ? run.source_ids(text, tokens) : run.target_ids(text, tokens);
  } catch (const std::exception& e) {
    throw RequestError(400, std::string("request: field \"") + field + "\": " + e.what());
  }
  if (source && ids.empty()) throw RequestError(400, std::string("request: field \"") + field + "\": empty");
  if (ids.size() > max_tokens) {
    throw RequestError(400, std::string("request: field \"") + field + "\": " + std::to_string(ids.size()) +
                                " tokens, more than " + std::to_string(max_tokens));
  }
  return ids;
}

namespace {

AttentionIntervention request_intervention(const JsonFields& f, std::size_t source_length, const InspectLimits& limits) {
  AttentionIntervention iv;
  if (!f.has("intervention") || f.is_null("intervention")) return iv;
  const JsonFields i(f.object("intervention"), "request: field \"intervention\"");
  const std::string kind = i.string("kind", 16);
  if (kind == "pin") {
    iv.kind = AttentionIntervention::Kind::pin;
  } else if (kind == "scale") {
    iv.kind = AttentionIntervention::Kind::scale;
    iv.factor = static_cast<float>(i.number("factor", 0.0, limits.factor));
  } else {
    i.fail("kind", "expected \"pin\" or \"scale\", got \"" + kind + "\"");
  }
  // Any step decoding can reach for this source: nmtx translate stops after step_limit steps.
  const std::size_t steps = step_limit(TranslateSettings{}.decode_options(), source_length);
  iv.step = static_cast<std::size_t>(i.integer("step", 0, static_cast<std::int64_t>(steps) - 1));
  iv.position = static_cast<std::size_t>(i.integer("position", 0, static_cast<std::int64_t>(source_length) - 1));
  return iv;
}

}  // namespace

TranslateSettings request_settings(const JsonFields& f, std::size_t target_vocab, std::size_t source_length,
                                   const InspectLimits& limits) {
  TranslateSettings o;  // nmtx translate's defaults, and the request's choices
  if (f.has("beam")) o.beam = static_cast<std::size_t>(f.integer("beam", 1, static_cast<std::int64_t>(limits.beam)));
  if (f.has("alpha")) o.alpha = static_cast<float>(f.number("alpha", 0.0, limits.alpha));
  if (f.has("n_best")) o.n_best = static_cast<std::size_t>(f.integer("n_best", 1, static_cast<std::int64_t>(o.beam)));
  if (f.has("hard")) o.constraints.hard = f.boolean("hard");
  if (f.has("monotonic")) o.constraints.monotonic = f.boolean("monotonic");
  if (f.has("window")) o.constraints.window = static_cast<std::size_t>(f.integer("window", 0, static_cast<std::int64_t>(limits.window)));
  o.constraints.intervention = request_intervention(f, source_length, limits);
  if (f.has("prefix")) {
    const json& ids = f.array("prefix", limits.target_tokens);
    for (std::size_t k = 0; k < ids.size(); ++k) {  // range-checked before any conversion to int
      o.prefix.push_back(static_cast<int>(f.integer_item(ids[k], "prefix", k, 0, static_cast<std::int64_t>(target_vocab) - 1)));
    }
    try {
      check_prefix(o.decode_options(), target_vocab);
    } catch (const std::invalid_argument& e) {
      throw RequestError(400, std::string("request: field \"prefix\": ") + e.what());
    }
  }
  return o;
}

std::vector<RequestLimit> request_limits(const InspectLimits& limits) {
  const TranslateSettings defaults;
  const auto n = std::to_string(limits.source_tokens);
  const auto most = std::to_string(step_limit(defaults.decode_options(), limits.source_tokens) - 1);
  return {
      {"a request's body", "at most " + std::to_string(limits.request_bytes) + " bytes (413 beyond)"},
      {"`source`, `target`", "at most " + std::to_string(limits.text_bytes) + " bytes of text each"},
      {"`source`", "1 to " + n + " tokens as the run segments it"},
      {"`target`, `prefix`", "at most " + std::to_string(limits.target_tokens) + " tokens"},
      {"`prefix` ids", "below the target vocabulary's size, neither `</s>` nor `<s>`"},
      {"`beam`", "1 to " + std::to_string(limits.beam)},
      {"`n_best`", "1 to `beam`"},
      {"`alpha`", fmt::format("0 to {}", limits.alpha)},
      {"`window`", "0 to " + std::to_string(limits.window)},
      {"`intervention.step`",
       fmt::format("0 to the last step decoding can produce: ⌊{} × source tokens⌋ + 10 steps, at most {}, so up to {} "
                   "for a source of {} tokens",
                   defaults.max_length_ratio, defaults.max_length, most, n)},
      {"`intervention.position`", "0 to source tokens − 1"},
      {"`intervention.factor`", fmt::format("0 to {}", limits.factor)},
      {"`run`", "an index of `/api/runs` (404 otherwise)"},
      {"`set`", "`dev` or `test`, where the run has it"},
      {"`step` (`/api/snapshot`)", "a step with a snapshot (404 otherwise, naming those there are)"},
  };
}

std::string request_limits_markdown(const InspectLimits& limits) {
  std::string out = "| field | limit |\n|---|---|\n";
  for (const RequestLimit& l : request_limits(limits)) out += "| " + l.field + " | " + l.bound + " |\n";
  return out;
}

}  // namespace nmtx
