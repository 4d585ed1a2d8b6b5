// The --script line format of loupe-gui and the changed-word alignment of the steering panel.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "ui/app/script.h"
#include "ui/text/word_diff.h"

using loupe::ui::ScriptCommand;

TEST_CASE("a script parses into actions with their lines", "[gui][script]") {
  const auto actions = loupe::ui::parse_script(
      "# steer the demo model\nselect-image kitchen.png\n\n  drag-slider gender 0 12 5   # five seconds\n"
      "wait-idle\nscreenshot out/a.png\nassert-caption-changed ar\n",
      "t.script");
  REQUIRE(actions.size() == 5);
  CHECK(actions[0].command == ScriptCommand::SelectImage);
  CHECK(actions[0].args == std::vector<std::string>{"kitchen.png"});
  CHECK(actions[0].line == 2);
  CHECK(actions[1].command == ScriptCommand::DragSlider);
  CHECK(actions[1].args == std::vector<std::string>{"gender", "0", "12", "5"});
  CHECK(actions[1].line == 4);
  CHECK(actions[2].command == ScriptCommand::WaitIdle);
  CHECK(actions[2].args.empty());
  CHECK(actions[4].command == ScriptCommand::AssertCaptionChanged);
}

TEST_CASE("dropped files are read relative to the script's folder", "[gui][script]") {
  const auto actions = loupe::ui::parse_script("drop-files ../images/a.png /abs/b.png\n", "/work/tests/gui/x.script");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].command == ScriptCommand::DropFiles);
  CHECK(actions[0].args == std::vector<std::string>{"/work/tests/images/a.png", "/abs/b.png"});
}

TEST_CASE("script errors name the line and what was wrong", "[gui][script]") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(loupe::ui::parse_script("select-image a.png\nfly away\n", "s"),
                    Contains("s:2") && Contains("unknown command 'fly'"));
  CHECK_THROWS_WITH(loupe::ui::parse_script("set-slider gender\n", "s"), Contains("s:1") && Contains("takes 2"));
  CHECK_THROWS_WITH(loupe::ui::parse_script("set-slider gender lots\n", "s"), Contains("'lots' is not a number"));
  CHECK_THROWS_AS(loupe::ui::load_script("/nonexistent/steer.script"), loupe::IoError);
}

TEST_CASE("changed words are the ones outside the longest common subsequence", "[gui][diff]") {
  using V = std::vector<std::string>;
  CHECK(loupe::ui::changed_items(V{"a", "woman", "is", "cooking"}, V{"a", "man", "is", "cooking"}) ==
        std::vector<bool>{false, true, false, false});
  CHECK(loupe::ui::changed_items(V{"a", "b"}, V{"a", "x", "b", "y"}) == std::vector<bool>{false, true, false, true});
  CHECK(loupe::ui::changed_items(V{}, V{"a"}) == std::vector<bool>{true});
  CHECK(loupe::ui::changed_items(V{"a"}, V{}).empty());
}
