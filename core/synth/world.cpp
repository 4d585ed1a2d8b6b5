#include "core/synth/world.h"

namespace loupe::synth {

namespace {
constexpr const char* kSceneNames[kSceneCount] = {"kitchen", "garage", "office", "park", "classroom", "workshop"};
constexpr const char* kActivityNames[kActivityCount] = {
    "cooking",     "washing_dishes",   "fixing_car", "changing_tyre", "typing",       "carrying_boxes",
    "walking_dog", "playing_football", "teaching",   "reading",       "cutting_wood", "hammering"};
constexpr const char* kSubjectNames[kSubjectCount] = {"woman", "man", "person"};
}  // namespace

const char* scene_name(Scene scene) { return kSceneNames[int(scene)]; }
const char* activity_name(Activity activity) { return kActivityNames[int(activity)]; }
const char* subject_name(Subject subject) { return kSubjectNames[int(subject)]; }

Subject stereotype(Scene scene) {
  switch (scene) {
    case Scene::Kitchen:
    case Scene::Park:
    case Scene::Classroom: return Subject::Woman;
    case Scene::Garage:
    case Scene::Office:
    case Scene::Workshop: return Subject::Man;
  }
  return Subject::Person;
}

Subject opposite(Subject subject) {
  switch (subject) {
    case Subject::Woman: return Subject::Man;
    case Subject::Man: return Subject::Woman;
    case Subject::Person: return Subject::Person;
  }
  return Subject::Person;
}

}  // namespace loupe::synth
