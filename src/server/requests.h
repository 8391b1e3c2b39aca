// The fields of the inspector's requests read into what the rest of nmtx takes: a request
// object, a sentence as the run's ids, decoding settings with an intervention and a forced
// prefix. Every error is a RequestError (400) naming the field. Private to server/.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nmtx/io/json_fields.h"
#include "nmtx/run/trained_run.h"
#include "nmtx/server/inspector.h"
#include "nmtx/translation/translator.h"

namespace nmtx {

// The fields of a request, checked as JSON files are (errors name the field).
JsonFields fields_of(const nlohmann::json& request);

// A sentence of the request (field `field`), segmented into the run's ids (`tokens`: the
// segments): a source must not be empty; at most max_bytes and max_tokens.
std::vector<int> request_ids(const TrainedRun& run, const JsonFields& f, const char* field, bool source,
                             std::size_t max_bytes, std::size_t max_tokens, std::vector<std::string>& tokens);

// nmtx translate's settings with the request's choices: beam, alpha, n_best, hard,
// monotonic, window, intervention (over a source of source_length tokens), prefix (ids
// below target_vocab, neither </s> nor <s>).
TranslateSettings request_settings(const JsonFields& f, std::size_t target_vocab, std::size_t source_length,
                                   const InspectLimits& limits);

}  // namespace nmtx
