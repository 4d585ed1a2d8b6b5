// sacreBLEU's default "13a" tokenizer (the mteval-v13a.pl tokenization used by WMT), and the
// Python str whitespace rules it relies on, for UTF-8 text. Only ASCII punctuation is split off;
// any other character (Arabic letters and marks included) stays inside its word.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace loupe::eval {

// Python's str.isspace() for one code point (ASCII and Unicode spaces, line/paragraph separators).
bool is_python_space(char32_t code_point);
// Python's str.split() with no argument: runs of whitespace separate tokens, none are empty.
std::vector<std::string> split_python_whitespace(std::string_view text);
// Python's str.rstrip() with no argument.
std::string_view rstrip_python_whitespace(std::string_view text);

// sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a followed by str.split(): unescapes &quot; &amp;
// &lt; &gt;, drops <skipped> and "-\n", then pads ASCII punctuation, and periods and commas
// unless they sit in a number, with spaces.
std::vector<std::string> tokenize_13a(std::string_view text);

}  // namespace loupe::eval
