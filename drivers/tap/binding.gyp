{
  # The Linux TAP / AF_PACKET shim (drivers/tap/tap.c), plain C against Node-API (node_api.h)
  # and libuv (uv.h), both shipped with Node's headers: no other native dependency.
  # Built by drivers/tap/install.mjs at `npm install`; the result is
  # drivers/tap/build/Release/smoltcp_tap.node. (It lives here rather than at the package root
  # because node-gyp always builds into ./build, which is where tsc writes the compiled tests.)
  "targets": [
    {
      "target_name": "smoltcp_tap",
      "sources": ["tap.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"]
    }
  ]
}
