#include "nmtx/report/attention_export.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "nmtx/io/files.h"
#include "nmtx/core/tensor.h"
#include "nmtx/io/npy.h"

namespace nmtx {

namespace fs = std::filesystem;

std::string pharaoh(const std::vector<std::pair<int, int>>& links) {
  std::string out;
  for (const auto& [s, t] : links) out += (out.empty() ? "" : " ") + std::to_string(s) + "-" + std::to_string(t);
  return out;
}

namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Code points, for estimating a label's width.
std::size_t text_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string name_of(std::size_t index) { return fmt::format("{:06d}", index); }

// The (T, S) rows of sentence `index` appended to `flat` in C order, each checked to be S wide.
void append_rows(const std::vector<std::vector<float>>& rows, std::size_t S, std::size_t index, std::vector<float>& flat) {
  for (const auto& row : rows) {
    if (row.size() != S) {
      throw std::invalid_argument("attention export: a row of sentence " + std::to_string(index) + " has " +
                                  std::to_string(row.size()) + " weights for " + std::to_string(S) + " source tokens");
    }
    flat.insert(flat.end(), row.begin(), row.end());
  }
}

// Sentence r with head j's weights as its attention (its own heatmap and AER).
SentenceAttention head_of(const SentenceAttention& r, std::size_t j) {
  SentenceAttention head;
  head.index = r.index;
  head.source = r.source;
  head.output = r.output;
  head.eos = r.eos;
  head.attention.weights = r.attention.heads[j];
  head.gold = r.gold;
  return head;
}

}  // namespace

std::optional<double> SentenceAttention::aer() const {
  if (!gold) return std::nullopt;
  AlignmentLine line;
  for (const auto& link : hard_alignment()) {
    line.sure.insert(link);
    line.possible.insert(link);
  }
  return alignment_error_rate({*gold}, {line}).aer;
}

std::string heatmap_svg(const SentenceAttention& r) {
  constexpr int cell = 24, char_width = 7;
  std::size_t longest_source = 1, longest_output = 1;
  for (const auto& t : r.source) longest_source = std::max(longest_source, text_length(t));
  for (const auto& t : r.output) longest_output = std::max(longest_output, text_length(t));
  const int left = static_cast<int>(std::min<std::size_t>(longest_output, 24) * char_width) + 12;
  const int top = static_cast<int>(std::min<std::size_t>(longest_source, 24) * char_width * 0.75) + 16;
  const int columns = static_cast<int>(r.source.size()), rows = static_cast<int>(r.attention.steps());
  const int legend = r.gold ? 22 : 0;  // a line under the cells saying what the outlines are
  const int width = std::max(left + columns * cell + 8, r.gold ? 420 : 0), height = top + rows * cell + 8 + legend;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<title>attention of sentence {}</title>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, height, width, height, r.index);
  for (int s = 0; s < columns; ++s) {  // source tokens along the top, slanted
    const int x = left + s * cell + cell / 2, y = top - 6;
    svg += fmt::format("<text x=\"{}\" y=\"{}\" transform=\"rotate(-45 {} {})\">{}</text>\n", x, y, x, y,
                       xml_escape(r.source[static_cast<std::size_t>(s)]));
  }
  for (int t = 0; t < rows; ++t) {
    const std::string label = t < static_cast<int>(r.output.size()) ? r.output[static_cast<std::size_t>(t)] : "";
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", left - 6, top + t * cell + cell / 2 + 4,
                       xml_escape(label));
    const auto& row = r.attention.weights[static_cast<std::size_t>(t)];
    for (int s = 0; s < columns && s < static_cast<int>(row.size()); ++s) {
      // Attention is blue, as in nmtx inspect: white (0) to #2166ac (1).
      const double w = std::clamp(row[static_cast<std::size_t>(s)], 0.0f, 1.0f);
      const auto mix = [w](int full) { return static_cast<int>(std::lround(255.0 + (full - 255.0) * w)); };
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"rgb({},{},{})\" stroke=\"#ddd\">"
                         "<title>{} → {}: {:.3f}</title></rect>\n",
                         left + s * cell, top + t * cell, cell, cell, mix(33), mix(102), mix(172),
                         xml_escape(label), xml_escape(r.source[static_cast<std::size_t>(s)]), row[static_cast<std::size_t>(s)]);
    }
  }
  if (r.gold) {  // gold links outlined in red, as in nmtx inspect: solid sure, dashed possible
    const auto outline = [&](int s, int t, const char* kind, const char* dash) {
      if (s >= columns || t >= rows) return;
      svg += fmt::format("<rect class=\"gold {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
                         "stroke=\"#d73027\" stroke-width=\"2\"{}/>\n",
                         kind, left + s * cell + 2, top + t * cell + 2, cell - 4, cell - 4, dash);
    };
    for (const auto& [s, t] : r.gold->sure) outline(s, t, "sure", "");
    for (const auto& [s, t] : r.gold->possible) {
      if (!r.gold->sure.count({s, t})) outline(s, t, "possible", " stroke-dasharray=\"3 2\"");
    }
    svg += fmt::format("<text class=\"legend\" x=\"8\" y=\"{}\" fill=\"#555\">red outline: gold link (sure; "
                       "dashed: possible) · AER {:.3f}</text>\n",
                       height - 8, *r.aer());
  }
  svg += "</svg>\n";
  return svg;
}

void export_attention(const std::vector<SentenceAttention>& records, const std::string& dir, float threshold) {
  const fs::path target(directory_path(dir));
  CreatedParents parents(target.parent_path().string());
  const fs::path partial = target.string() + ".partial-" + std::to_string(::getpid());
  try {
    fs::remove_all(partial);
    fs::create_directories(partial);
    std::string alignments;
    std::string items;
    for (const SentenceAttention& r : records) {
      const std::string name = name_of(r.index);
      const std::size_t T = r.attention.steps(), S = r.source.size();
      std::vector<float> flat;
      append_rows(r.attention.weights, S, r.index, flat);
      const std::size_t k = r.attention.heads.size();
      std::vector<float> heads_flat;
      for (const auto& head : r.attention.heads) {
        if (head.size() != T) throw std::invalid_argument("attention export: a head of sentence " + std::to_string(r.index) + " has " + std::to_string(head.size()) + " rows for " + std::to_string(T) + " output steps");
        append_rows(head, S, r.index, heads_flat);
      }
      nlohmann::json j{{"index", r.index},
                       {"source", r.source},
                       {"output", r.output},
                       {"shape", {T, S}},
                       {"rows", "output tokens, the final </s> included when it was produced"},
                       {"columns", "source tokens (no </s>)"},
                       {"attention", r.attention.weights}};
      if (!r.attention.positions.empty()) j["positions"] = r.attention.positions;
      if (k > 0) j["heads"] = r.attention.heads;  // (k, T, S); "attention" is their mean
      if (r.gold) {
        j["gold"] = {{"sure", r.gold->sure}, {"possible", r.gold->possible}};
        j["aer"] = *r.aer();
      }
      if (!r.token_log_probs.empty()) {
        j["log_prob"] = r.log_prob;
        j["token_log_probs"] = r.token_log_probs;
      }
      for (std::size_t m = 0; m < r.members.size(); ++m) {
        const SentenceAttention::Member& member = r.members[m];
        nlohmann::json mj{{"model", member.model}, {"source", member.source}, {"attention", member.attention.weights}};
        if (!member.attention.positions.empty()) mj["positions"] = member.attention.positions;
        if (!member.attention.heads.empty()) mj["heads"] = member.attention.heads;
        j["members"].push_back(mj);
        SentenceAttention alone;  // its own heatmap: NNNNNN.member-M.svg
        alone.index = r.index;
        alone.source = member.source;
        alone.output = r.output;
        alone.eos = r.eos;
        alone.attention = member.attention;
        write_file_atomically((partial / (name + ".member-" + std::to_string(m) + ".svg")).string(), heatmap_svg(alone));
      }
      write_file_atomically((partial / (name + ".json")).string(), j.dump() + "\n");
      if (T > 0 && S > 0) {
        TensorData t(Shape{T, S}, flat);
        save_npy((partial / (name + ".npy")).string(), t.view());
        if (k > 0) save_npy((partial / (name + ".heads.npy")).string(), TensorData(Shape{k, T, S}, heads_flat).view());
      }
      write_file_atomically((partial / (name + ".svg")).string(), heatmap_svg(r));
      std::string head_images;  // small multiples of the heads under the mean
      for (std::size_t h = 0; h < k; ++h) {
        const std::string file = name + ".head-" + std::to_string(h) + ".svg";
        write_file_atomically((partial / file).string(), heatmap_svg(head_of(r, h)));
        head_images += fmt::format("<figure><img class=\"heatmap head\" src=\"{}\" alt=\"head {} of sentence {}\">"
                                   "<figcaption>head {}</figcaption></figure>",
                                   file, h + 1, r.index, h + 1);
      }
      if (!head_images.empty()) head_images = "<div class=\"heads\">" + head_images + "</div>";
      alignments += pharaoh(r.hard_alignment(threshold)) + "\n";
      std::string source_text, output_text;
      for (const auto& s : r.source) source_text += (source_text.empty() ? "" : " ") + s;
      for (const auto& s : r.output) output_text += (output_text.empty() ? "" : " ") + s;
      items += fmt::format(
          "<section><h2>{}</h2><p class=\"src\">{}</p><p class=\"out\">{}</p>{}"
          "<img class=\"heatmap\" src=\"{}.svg\" alt=\"attention of sentence {}\">{}</section>\n",
          r.index, xml_escape(source_text), xml_escape(output_text),
          r.gold ? fmt::format("<p class=\"aer\">AER against the gold links: {:.3f}</p>", *r.aer()) : "", name, r.index,
          head_images);
    }
    write_file_atomically((partial / "alignments.txt").string(), alignments);
    write_file_atomically((partial / "index.html").string(),
                          "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>nmtx attention</title>\n"
                          "<style>body{font-family:sans-serif;margin:2em}section{margin-bottom:2em}"
                          ".src{color:#555}.out{font-weight:bold}img{max-width:100%;border:1px solid #eee}"
                          ".heads{display:flex;flex-wrap:wrap;gap:1em}.heads figure{margin:0}.heads img{max-width:300px}"
                          "</style>\n"
                          "</head><body>\n<h1>Attention, " + std::to_string(records.size()) +
                              " sentences</h1>\n<p>Rows: output tokens; columns: source tokens; bluer: more attention (white 0, full blue 1)." +
                              (std::any_of(records.begin(), records.end(), [](const SentenceAttention& r) { return r.gold.has_value(); })
                                   ? std::string(" Red outlines: gold alignment links (solid: sure, dashed: possible); AER: "
                                                 "each output token's most attended source token against them.")
                                   : std::string()) +
                              (std::any_of(records.begin(), records.end(), [](const SentenceAttention& r) { return !r.attention.heads.empty(); })
                                   ? std::string(" Multi-head attention: the large heatmap is the mean over heads, "
                                                 "the small ones each head's own weights.")
                                   : std::string()) +
                              "</p>\n" +
                              items +
                              // For readers and tests: how many heatmaps loaded (an image that fails to load is a console error too).
                              "<script>window.addEventListener('load', () => {\n"
                              "  const maps = [...document.querySelectorAll('img.heatmap')];\n"
                              "  document.body.dataset.heatmapsLoaded = maps.filter(i => i.complete && i.naturalWidth > 0).length;\n"
                              "});</script>\n</body></html>\n");
    sync_directory(partial.string());
    replace_directory(partial.string(), target.string());
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(partial, ignored);
    parents.remove_created();
    throw;
  }
}

}  // namespace nmtx
