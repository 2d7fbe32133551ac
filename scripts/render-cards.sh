#!/usr/bin/env bash
# Renders the bot's real Slack payloads to PNG, to look at a card while
# changing it: the bot runs against the loopback Slack fake
# (TestRenderCards in bot/e2e writes each message as JSON and as
# Slack-like HTML), then headless Chromium takes a screenshot of each, in
# a 600 px thread pane and at 375 px (a phone). It prints the height of
# every message at both widths.
#
#   bash scripts/render-cards.sh [OUT]    (default: ./render)
#
# Not part of the tests. Needs Debian's chromium (installed when missing,
# as root) and its emoji font.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-render}

if ! command -v chromium >/dev/null || [ ! -d /usr/share/fonts/truetype/noto ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji fonts-lato >/dev/null
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.html "$out"/*.json "$out"/*.png
go test ./bot/e2e -run '^TestRenderCards$' -count=1 -render "$out" >/dev/null

# chromium runs with a fresh profile each time, and nothing that would
# reach the network.
chrome() {
  local profile
  profile=$(mktemp -d)
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$profile" "$@" 2>/dev/null
  rm -rf "$profile"
}

printf '%-28s %8s %8s\n' message 600px 375px > "$out/heights.txt"
for json in "$out"/*.json; do
  name=$(basename "$json" .json)
  heights=()
  for width in 600 375; do
    page="file://$out/$name-$width.html"
    dom=$(chrome --window-size="$width,8000" --dump-dom "$page")
    height=$(sed -n 's/.*data-height="\([0-9]*\)".*/\1/p' <<<"$dom" | head -1)
    full=$(sed -n 's/.*data-page="\([0-9]*\)".*/\1/p' <<<"$dom" | head -1)
    chrome --window-size="$width,${full:-2000}" --screenshot="$out/$name-$width.png" "$page" >/dev/null
    heights+=("${height:-?}")
  done
  printf '%-28s %8s %8s\n' "$name" "${heights[@]}" >> "$out/heights.txt"
done
cat "$out/heights.txt"
echo "PNG files in $out"
