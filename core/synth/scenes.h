// Scene backgrounds: each scene has its own palette and large objects, so it can be told apart at
// 128x128 even behind a figure:
//   kitchen:   cream tiled wall, wooden cabinets, fridge, stove with a pot, black-and-white floor
//   garage:    grey block wall, ribbed garage door, a big side-view car with black tyres, dark floor
//   office:    pale blue wall, window with blinds, desk with a glowing monitor, blue carpet
//   park:      blue sky with sun and clouds, green grass, trees with round crowns
//   classroom: large dark-green blackboard with chalk lines, wooden floor, rows of pupils' desks
//   workshop:  brown plank walls, a pegboard with tools, a workbench with a vice, sawdust floor
#pragma once
#include "core/synth/raster.h"
#include "core/synth/world.h"

namespace loupe::synth {

// Paints the whole canvas; returns the height (y) where the floor or ground meets the wall or sky.
float draw_scene(Canvas& canvas, Scene scene, Rng& rng);

}  // namespace loupe::synth
