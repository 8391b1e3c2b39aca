// The colour of a run, by its variant's name: the same in `nmtx compare`'s report.html
// (learning curves, BLEU by length) and in `nmtx inspect` (the server hands it to the page
// with each run), so one run keeps one colour in both. The palette leaves out the hues the
// views give a meaning to (blue: attention; orange: less attention in a difference; green:
// the model's probability of a token; purple: local attention's predicted position;
// yellow: a changed token), so a colour means one thing across the page and the report.
#pragma once

#include <string>

namespace nmtx {

// "#rrggbb": the main variants each their own; another name a palette entry by its digest.
std::string run_colour(const std::string& variant);

}  // namespace nmtx
