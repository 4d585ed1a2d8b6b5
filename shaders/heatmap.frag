#version 330 core
// The image with a per-patch value drawn over it: the value is scaled to [0,1] by the map's range,
// coloured with the inferno colour map (a polynomial fit), and blended with `opacity`. Patch
// borders are shown as thin dark lines so the grid stays readable.
in vec2 uv;
out vec4 colour;
uniform sampler2D image;
uniform sampler2D heat;   // R32F, grid_width × grid_height, one texel per patch
uniform vec2 range;       // low, high
uniform float opacity;
uniform vec2 grid;        // grid_width, grid_height

vec3 inferno(float t) {
  const vec3 c0 = vec3(0.0002189403691192265, 0.001651004631001012, -0.01948089843709184);
  const vec3 c1 = vec3(0.1065134194856116, 0.5639564367884091, 3.932712388889277);
  const vec3 c2 = vec3(11.60249308247187, -3.972853965665698, -15.9423941062914);
  const vec3 c3 = vec3(-41.70399613139459, 17.43639888205313, 44.35414519872813);
  const vec3 c4 = vec3(77.162935699427, -33.40235894210092, -81.80730925738993);
  const vec3 c5 = vec3(-71.31942824499214, 32.62606426397723, 73.20951985803202);
  const vec3 c6 = vec3(25.13112622477341, -12.24266895238567, -23.07032500287172);
  return c0 + t * (c1 + t * (c2 + t * (c3 + t * (c4 + t * (c5 + t * c6)))));
}

void main() {
  vec3 base = texture(image, uv).rgb;
  float value = texture(heat, uv).r;
  float t = clamp((value - range.x) / max(range.y - range.x, 1e-12), 0.0, 1.0);
  vec3 blended = mix(base, inferno(t), opacity);
  vec2 cell = fract(uv * grid);
  vec2 pixels_to_edge = min(cell, 1.0 - cell) / fwidth(uv * grid);
  float edge = 1.0 - clamp(min(pixels_to_edge.x, pixels_to_edge.y), 0.0, 1.0);
  colour = vec4(mix(blended, blended * 0.55, edge * opacity), 1.0);
}
