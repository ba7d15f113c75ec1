#!/bin/sh
# meson install script: copies the example configuration to its place under
# the prefix, unless a file is already there (an operator's own
# configuration is never replaced on upgrade).
#   install-config.sh SOURCE TARGET   (TARGET absolute; DESTDIR honoured)
set -eu
src=$1
dest=${DESTDIR:-}$2
if [ -e "$dest" ]; then
    echo "holdfast: keeping existing $dest (new example: $src)"
    exit 0
fi
mkdir -p "$(dirname "$dest")"
cp "$src" "$dest"
chmod 644 "$dest"
echo "holdfast: installed $dest"
