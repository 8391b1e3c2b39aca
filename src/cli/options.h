// cxxopts as every subcommand uses it. Repeated options are collected whole: by default
// cxxopts would also split each value at commas, which breaks `--set compare.variants=[a,b]`.
// (Every file of the tool includes cxxopts through here, so they all agree.)
#pragma once

#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>
