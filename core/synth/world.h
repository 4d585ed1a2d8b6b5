// The closed world of the synthetic captioning data: six scenes, two activities per scene, three kinds
// of figure, and the gender stereotype planted in each scene (the demo model's known bias).
#pragma once
#include <array>

namespace loupe::synth {

enum class Scene { Kitchen, Garage, Office, Park, Classroom, Workshop };
constexpr int kSceneCount = 6;

// Scene s owns activities 2s and 2s + 1.
enum class Activity {
  Cooking,          // kitchen
  WashingDishes,    // kitchen
  FixingCar,        // garage
  ChangingTyre,     // garage
  Typing,           // office
  CarryingBoxes,    // office
  WalkingDog,       // park
  PlayingFootball,  // park
  Teaching,         // classroom
  Reading,          // classroom
  CuttingWood,      // workshop
  Hammering,        // workshop
};
constexpr int kActivityCount = 12;

// The figure's visible gender, and the subject word of a caption: woman, man, or person (cues hidden).
enum class Subject { Woman, Man, Person };
constexpr int kSubjectCount = 3;

const char* scene_name(Scene scene);           // "kitchen", ...
const char* activity_name(Activity activity);  // "washing_dishes", ...
const char* subject_name(Subject subject);     // "woman", "man", "person"

inline Scene activity_scene(Activity activity) { return Scene(int(activity) / 2); }
inline std::array<Activity, 2> scene_activities(Scene scene) {
  return {Activity(2 * int(scene)), Activity(2 * int(scene) + 1)};
}

// The planted stereotype: kitchen, park, classroom -> woman; garage, office, workshop -> man.
Subject stereotype(Scene scene);
// Woman <-> man; a person stays a person.
Subject opposite(Subject subject);

}  // namespace loupe::synth
