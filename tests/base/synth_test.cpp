// The synthetic captioning data: random numbers, drawing, captions and their parser, the planted bias,
// and the dataset writer's determinism and input checks.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <set>
#include <unistd.h>

#include "core/error.h"
#include "core/eval/gender.h"
#include "core/io/image.h"
#include "core/synth/captions.h"
#include "core/synth/dataset_writer.h"
#include "core/synth/raster.h"
#include "core/synth/render.h"
#include "core/util/atomic_file.h"

using namespace loupe;
using namespace loupe::synth;

namespace {

// A fresh, not yet created folder under the system temp directory, private to this process
// (test processes run in parallel), removed when the test ends.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("loupe_synth_test_" + std::to_string(::getpid()) + "_" + name)) {
    std::filesystem::remove_all(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string operator/(const std::string& child) const { return (path / child).string(); }
};

std::vector<SamplePlan> plans(int n, const SynthOptions& options) {
  std::vector<SamplePlan> result;
  for (int i = 0; i < n; ++i) result.push_back(plan_sample(options, split_sizes(n), i));
  return result;
}

std::vector<std::string> csv_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(text.substr(start, end - start));
  return lines;
}

}  // namespace

TEST_CASE("Rng is xoshiro256** seeded by splitmix64, identical everywhere", "[synth]") {
  Rng rng(0);
  CHECK(rng.next() == 0x99EC5F36CB75F2B4ull);
  CHECK(rng.next() == 0xBF6E1F784956452Aull);
  CHECK(rng.next() == 0x1A5F849D4933E6E0ull);
  CHECK(Rng::for_sample(1, 7).next() == 0x239C49A9BCF9E4DBull);
  CHECK(Rng::for_sample(1, 7).next() != Rng::for_sample(2, 7).next());
  CHECK(Rng::for_sample(1, 7).next() != Rng::for_sample(1, 8).next());

  Rng draws(5);
  double sum = 0, squares = 0;
  std::set<int> seen;
  for (int i = 0; i < 20000; ++i) {
    const int k = draws.uniform_int(-2, 3);
    REQUIRE(k >= -2);
    REQUIRE(k <= 3);
    seen.insert(k);
    const double u = draws.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    const double z = draws.normal(1.0, 2.0);
    sum += z, squares += z * z;
  }
  CHECK(seen.size() == 6);
  const double mean = sum / 20000, variance = squares / 20000 - mean * mean;
  CHECK(mean == Approx(1.0).margin(0.05));
  CHECK(std::sqrt(variance) == Approx(2.0).margin(0.05));
}

TEST_CASE("Canvas fills shapes with coverage-blended edges", "[synth]") {
  const Rgb black{0, 0, 0}, white{255, 255, 255};
  auto pixel = [](const Canvas& canvas, int x, int y) {
    return canvas.image().pixels[size_t(y * canvas.width() + x) * 3];
  };
  Canvas canvas(16, 16, black);
  canvas.rect(2, 2, 6.5f, 4, white);
  CHECK(pixel(canvas, 2, 2) == 255);
  CHECK(pixel(canvas, 6, 3) == 128);  // half covered
  CHECK(pixel(canvas, 7, 3) == 0);
  CHECK(pixel(canvas, 3, 4) == 0);
  canvas.circle(10, 10, 3, white);
  CHECK(pixel(canvas, 9, 9) == 255);
  CHECK(pixel(canvas, 13, 13) == 0);
  canvas.triangle({0, 15}, {4, 15}, {0, 11}, white);
  CHECK(pixel(canvas, 0, 14) == 255);
  CHECK(pixel(canvas, 3, 11) == 0);
  canvas.line({8, 1.5f}, {14, 1.5f}, 1, white);
  CHECK(pixel(canvas, 11, 1) > 200);
  CHECK(pixel(canvas, 11, 3) == 0);

  Canvas hard(8, 8, black, false);
  hard.rect(1, 1, 3.4f, 3, white);
  CHECK(pixel(hard, 2, 1) == 255);
  CHECK(pixel(hard, 3, 1) == 0);  // centre 3.5 lies outside: no partial coverage without anti-aliasing
}

TEST_CASE("captions follow the templates with gender agreement", "[synth]") {
  CHECK(caption_text(Subject::Woman, Activity::Cooking, 0, Language::English) == "a woman is cooking in the kitchen");
  CHECK(caption_text(Subject::Man, Activity::FixingCar, 1, Language::English) ==
        "there is a man fixing a car in the garage");
  CHECK(caption_text(Subject::Person, Activity::WalkingDog, 2, Language::English) ==
        "a person walking their dog in the park");
  CHECK(caption_text(Subject::Woman, Activity::WalkingDog, 0, Language::English) ==
        "a woman is walking her dog in the park");
  CHECK(caption_text(Subject::Woman, Activity::Cooking, 0, Language::Arabic) == "امرأة تطبخ في المطبخ");
  CHECK(caption_text(Subject::Man, Activity::Cooking, 0, Language::Arabic) == "رجل يطبخ في المطبخ");
  CHECK(caption_text(Subject::Person, Activity::Cooking, 0, Language::Arabic) == "شخص يطبخ في المطبخ");
  CHECK(caption_text(Subject::Man, Activity::Hammering, 1, Language::Arabic) == "هناك رجل يدق مسمارا في الورشة");
  CHECK(caption_text(Subject::Woman, Activity::WalkingDog, 2, Language::Arabic) == "تتمشى امرأة مع كلبها في الحديقة");
  CHECK(caption_text(Subject::Person, Activity::WalkingDog, 0, Language::Arabic) == "شخص يتمشى مع كلبه في الحديقة");
  CHECK_THROWS_WITH(caption_text(Subject::Man, Activity::Cooking, 3, Language::English),
                    Catch::Contains("phrasing 3 does not exist"));
}

TEST_CASE("every template round-trips through parse_caption and states its gender", "[synth]") {
  for (Language language : {Language::English, Language::Arabic}) {
    std::set<std::string> texts;
    for (int s = 0; s < kSubjectCount; ++s) {
      for (int a = 0; a < kActivityCount; ++a) {
        for (int p = 0; p < kPhrasingCount; ++p) {
          const Subject subject = Subject(s);
          const Activity activity = Activity(a);
          const std::string text = caption_text(subject, activity, p, language);
          INFO(text);
          texts.insert(text);
          const ParsedCaption parsed = parse_caption(text, language);
          CHECK(parsed.exact);
          CHECK(parsed.subject == subject);
          CHECK(parsed.activity == activity);
          CHECK(parsed.scene == activity_scene(activity));
          const eval::Gender expected = subject == Subject::Woman ? eval::Gender::Female
                                        : subject == Subject::Man ? eval::Gender::Male
                                                                  : eval::Gender::Neutral;
          CHECK(eval::infer_gender(text, language).gender == expected);
          if (language == Language::Arabic) CHECK(eval::check_arabic_agreement(text).agrees);
        }
      }
    }
    CHECK(texts.size() == size_t(kSubjectCount * kActivityCount * kPhrasingCount));
  }
}

TEST_CASE("parse_caption reads non-template text word by word", "[synth]") {
  const ParsedCaption loose = parse_caption("A woman cooking in a kitchen.", Language::English);
  CHECK_FALSE(loose.exact);
  CHECK(loose.subject == Subject::Woman);
  CHECK(loose.activity == Activity::Cooking);
  CHECK(loose.scene == Scene::Kitchen);

  const ParsedCaption styled = parse_caption("  A Man is  Fixing a car in the GARAGE. ", Language::English);
  CHECK(styled.exact);  // case, spacing and punctuation are ignored
  CHECK(styled.subject == Subject::Man);

  const ParsedCaption diacritics = parse_caption("امْرَأَةٌ تَطْبُخُ فِي المَطْبَخِ", Language::Arabic);
  CHECK(diacritics.exact);
  CHECK(diacritics.subject == Subject::Woman);

  const ParsedCaption partial = parse_caption("رجل يلعب في الحديقة", Language::Arabic);
  CHECK_FALSE(partial.exact);
  CHECK(partial.subject == Subject::Man);
  CHECK_FALSE(partial.activity.has_value());  // the verb alone is not the whole activity
  CHECK(partial.scene == Scene::Park);

  const ParsedCaption nothing = parse_caption("a red bus on the road", Language::English);
  CHECK_FALSE(nothing.subject.has_value());
  CHECK_FALSE(nothing.activity.has_value());
  CHECK_FALSE(nothing.scene.has_value());
}

TEST_CASE("split sizes are 80 / 10 / 10", "[synth]") {
  const SplitSizes two_hundred = split_sizes(200);
  CHECK(two_hundred.train == 160);
  CHECK(two_hundred.balanced == 20);
  CHECK(two_hundred.counter == 20);
  const SplitSizes nine = split_sizes(9);
  CHECK(nine.train == 9);
  CHECK(nine.balanced + nine.counter == 0);
  const SplitSizes odd = split_sizes(1234);
  CHECK(odd.train + odd.balanced + odd.counter == 1234);
  CHECK(odd.balanced == 123);
}

TEST_CASE("the train split carries the planted bias, eval splits are balanced and counter-stereotypical", "[synth]") {
  SynthOptions options;
  options.seed = 11;
  const int n = 1800;  // train 1440, balanced 180 (10 per scene and gender), counter 180
  int gendered = 0, stereotyped = 0, neutral = 0, neutral_stereotyped_caption = 0, train = 0;
  int balanced[kSceneCount][kSubjectCount] = {};
  for (const SamplePlan& plan : plans(n, options)) {
    CHECK(activity_scene(plan.activity) == plan.scene);
    if (plan.split == Split::Train) {
      ++train;
      if (plan.figure == Subject::Person) {
        ++neutral;
        neutral_stereotyped_caption += plan.caption == stereotype(plan.scene);
        CHECK((plan.caption == Subject::Person || plan.caption == stereotype(plan.scene)));
      } else {
        ++gendered;
        stereotyped += plan.figure == stereotype(plan.scene);
        CHECK(plan.caption == plan.figure);
      }
    } else if (plan.split == Split::Balanced) {
      ++balanced[int(plan.scene)][int(plan.figure)];
      CHECK(plan.caption == plan.figure);
    } else {
      CHECK(plan.figure == opposite(stereotype(plan.scene)));
      CHECK(plan.figure != Subject::Person);
      CHECK(plan.caption == plan.figure);
    }
  }
  CHECK(train == 1440);
  CHECK(double(neutral) / train == Approx(0.2).margin(0.04));
  CHECK(double(stereotyped) / gendered == Approx(0.85).margin(0.04));
  CHECK(double(neutral_stereotyped_caption) / neutral == Approx(0.6).margin(0.1));
  for (auto& scene : balanced)
    for (int count : scene) CHECK(count == 10);

  options.bias = 1.0;
  options.neutral_share = 0.0;
  for (const SamplePlan& plan : plans(300, options))
    if (plan.split == Split::Train) CHECK(plan.figure == stereotype(plan.scene));
  options.bias = 0.0;
  for (const SamplePlan& plan : plans(300, options))
    if (plan.split == Split::Train) CHECK(plan.figure == opposite(stereotype(plan.scene)));
}

TEST_CASE("rendering depends only on the plan", "[synth]") {
  SamplePlan plan;
  plan.scene = Scene::Garage;
  plan.activity = Activity::ChangingTyre;
  plan.figure = Subject::Woman;
  plan.render_seed = 99;
  const io::Image first = render_sample(plan);
  CHECK(first.width == kImageSize);
  CHECK(first.height == kImageSize);
  CHECK(first.pixels == render_sample(plan).pixels);
  plan.render_seed = 100;
  CHECK(first.pixels != render_sample(plan).pixels);
}

namespace {
double identical_pixel_share(const io::Image& a, const io::Image& b) {
  int same = 0;
  for (size_t p = 0; p < a.pixels.size(); p += 3)
    same += a.pixels[p] == b.pixels[p] && a.pixels[p + 1] == b.pixels[p + 1] && a.pixels[p + 2] == b.pixels[p + 2];
  return double(same) / double(a.pixels.size() / 3);
}
}  // namespace

TEST_CASE("counterfactual pairs share scene, activity and seed and differ only where the figure does", "[synth]") {
  SynthOptions options;
  options.seed = 5;
  options.pairs = true;
  const int n = 24;
  const SplitSizes sizes = split_sizes(n, options);
  CHECK(sizes.pairs == n);
  CHECK(sizes.train + sizes.balanced + sizes.counter == 0);
  std::set<int> scenes;
  double least_shared = 1;
  for (int k = 0; k < n / 2; ++k) {
    const SamplePlan woman = plan_sample(options, sizes, 2 * k), man = plan_sample(options, sizes, 2 * k + 1);
    CHECK(woman.split == Split::Pairs);
    CHECK(woman.figure == Subject::Woman);
    CHECK(man.figure == Subject::Man);
    CHECK(woman.caption == woman.figure);
    CHECK(man.caption == man.figure);
    CHECK(woman.scene == man.scene);
    CHECK(woman.activity == man.activity);
    CHECK(woman.phrasing == man.phrasing);
    CHECK(woman.render_seed == man.render_seed);
    scenes.insert(int(woman.scene));
    const io::Image woman_image = render_sample(woman), man_image = render_sample(man);
    CHECK(woman_image.pixels != man_image.pixels);
    // Should the two figures draw different counts of numbers, the noise and props after them would
    // differ too, and almost no pixel would be shared.
    least_shared = std::min(least_shared, identical_pixel_share(woman_image, man_image));
  }
  CHECK(scenes.size() == size_t(kSceneCount));
  CHECK(least_shared > 0.75);

  // Consecutive pairs are different images.
  CHECK(render_sample(plan_sample(options, sizes, 0)).pixels != render_sample(plan_sample(options, sizes, 2)).pixels);
  CHECK_THROWS_WITH(validate(options, 7), Catch::Contains("even number of samples, got 7"));
  CHECK(dataset_csv(4, options).find(",woman,") != std::string::npos);
  CHECK(csv_lines(dataset_csv(4, options))[2].find(",man,") != std::string::npos);
  CHECK(csv_lines(dataset_csv(4, options))[1].find(",pairs,woman") != std::string::npos);
}

TEST_CASE("write_dataset is deterministic for a seed, whatever the thread count", "[synth]") {
  TempDir a("a"), b("b"), c("c");
  SynthOptions options;
  options.seed = 3;
  const int n = 30;
  const DatasetSummary summary = write_dataset(a.path.string(), n, options, 1);
  write_dataset(b.path.string(), n, options, 3);
  options.seed = 4;
  write_dataset(c.path.string(), n, options, 2);

  CHECK(summary.sizes.train == 24);
  int counted = 0;
  for (auto& split : summary.figures)
    for (int count : split) counted += count;
  CHECK(counted == n);

  const std::string csv = util::read_file(a / "image_caption.csv");
  CHECK(csv == util::read_file(b / "image_caption.csv"));
  CHECK(csv != util::read_file(c / "image_caption.csv"));
  const std::vector<std::string> lines = csv_lines(csv);
  REQUIRE(lines.size() == size_t(n + 1));
  CHECK(lines[0] == "image,en_caption,ar_caption,gender,scene,activity,split,caption_gender");
  CHECK(lines[1].rfind("images/00000.png,", 0) == 0);
  CHECK(lines[n].find(",counter,") != std::string::npos);

  int differing = 0;
  SynthOptions first_seed;
  first_seed.seed = 3;
  for (int i = 0; i < n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "images/%05d.png", i);
    const io::Image image = io::load_image(a / name);
    CHECK(image.width == kImageSize);
    CHECK(image.pixels == io::load_image(b / name).pixels);
    CHECK(image.pixels == render_sample(plan_sample(first_seed, split_sizes(n), i)).pixels);
    differing += image.pixels != io::load_image(c / name).pixels;
  }
  CHECK(differing == n);
}

TEST_CASE("bad synth inputs are refused with clear messages", "[synth]") {
  TempDir out("bad");
  SynthOptions options;
  CHECK_THROWS_AS(write_dataset(out.path.string(), 0, options), InputError);
  CHECK_THROWS_WITH(write_dataset(out.path.string(), 0, options),
                    Catch::Contains("number of samples must be at least 1, got 0"));
  options.bias = 1.5;
  CHECK_THROWS_AS(write_dataset(out.path.string(), 10, options), InputError);
  CHECK_THROWS_WITH(write_dataset(out.path.string(), 10, options),
                    Catch::Contains("bias must be a probability between 0 and 1, got 1.5"));
  options.bias = std::nan("");
  CHECK_THROWS_AS(dataset_csv(10, options), InputError);
  CHECK_FALSE(std::filesystem::exists(out.path));  // nothing is written before the checks pass

  options.bias = 0.85;
  std::filesystem::create_directories(out.path);
  util::write_file_atomic(out / "taken", "a file, not a folder");
  CHECK_THROWS_AS(write_dataset(out / "taken", 5, options), IoError);
  CHECK_THROWS_WITH(write_dataset(out / "taken", 5, options), Catch::Contains("cannot create output folder"));
}

TEST_CASE("synth over an older dataset is refused, so its stale images never sit beside the new CSV", "[synth]") {
  TempDir out("again");
  SynthOptions options;
  write_dataset(out.path.string(), 6, options, 1);
  const std::string csv = util::read_file(out / "image_caption.csv");
  CHECK_THROWS_AS(write_dataset(out.path.string(), 3, options, 1), InputError);
  CHECK_THROWS_WITH(write_dataset(out.path.string(), 3, options, 1),
                    Catch::Contains(out.path.string()) && Catch::Contains("already holds a dataset"));
  CHECK(util::read_file(out / "image_caption.csv") == csv);  // untouched
  // Images without a CSV (a run that failed part way) are refused too.
  std::filesystem::remove(out.path / "image_caption.csv");
  CHECK_THROWS_AS(write_dataset(out.path.string(), 3, options, 1), InputError);
}
