#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <iostream>

// CTest runs each test case by name (doctest_discover_tests). A ';' in a name splits it
// into filters that match nothing, and doctest reports success for zero test cases: such
// a test could never fail. Refuse to start instead.
int main(int argc, char** argv) {
  for (const auto& tc : doctest::detail::getRegisteredTests()) {
    if (std::string(tc.m_name).find(';') != std::string::npos) {
      std::cerr << "test case name contains ';' (CTest would split it): " << tc.m_name << "\n";
      return 1;
    }
  }
  doctest::Context context(argc, argv);
  return context.run();
}
