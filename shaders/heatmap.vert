#version 330 core
// A full-screen quad made from the vertex index (no vertex buffer): two triangles covering
// clip space; uv (0,0) is the image's first row, so the render target reads top-down in ImGui.
out vec2 uv;
void main() {
  const vec2 corners[6] = vec2[6](vec2(-1.0, -1.0), vec2(1.0, -1.0), vec2(1.0, 1.0),
                                  vec2(-1.0, -1.0), vec2(1.0, 1.0), vec2(-1.0, 1.0));
  vec2 p = corners[gl_VertexID];
  uv = (p + 1.0) * 0.5;
  gl_Position = vec4(p, 0.0, 1.0);
}
