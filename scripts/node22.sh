# shellcheck shell=bash
# Sourced by every project entry point (npm scripts, .ci/run): makes sure a Node.js >= 22 is first on
# PATH. Tegami targets Node >= 22 (better-sqlite3 13 needs it; Electron 45 ships Node 22+). Where the
# machine's own node is older, the pinned Node below is fetched once from the npm registry (the
# node-<os>-<arch> package holds the official build, headers included) into .toolchain/, and native
# addons are built against its headers.
TEGAMI_NODE_VERSION=22.23.3
TEGAMI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

tegami_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(tegami_node_major)" -lt 22 ]; then
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "Tegami needs Node.js >= 22 on PATH" >&2; return 1 ;; esac
  case "$(uname -m)" in x86_64|amd64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) echo "Tegami needs Node.js >= 22 on PATH" >&2; return 1 ;; esac
  dir="$TEGAMI_ROOT/.toolchain/node-$TEGAMI_NODE_VERSION-$os-$arch"
  if [ ! -x "$dir/bin/node" ]; then
    echo "tegami: Node $(node -v 2>/dev/null || echo missing) is too old; fetching Node $TEGAMI_NODE_VERSION from the npm registry into .toolchain/" >&2
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-$os-$arch@$TEGAMI_NODE_VERSION" >/dev/null) || { rm -rf "$tmp"; echo "tegami: could not fetch node-$os-$arch@$TEGAMI_NODE_VERSION" >&2; return 1; }
    mkdir -p "$dir.partial" && tar xzf "$tmp"/*.tgz -C "$dir.partial" --strip-components=1 && rm -rf "$dir" && mv "$dir.partial" "$dir"
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  # node-gyp must build native addons (better-sqlite3) against this Node's headers, not the system's.
  export npm_config_nodedir="$dir"
fi
unset -f tegami_node_major
