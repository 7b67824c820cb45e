#!/bin/sh
# Put this lr_desk bundle on the menu of the account that runs it (no root needed):
#   ./install-linux.sh            from inside the unpacked bundle folder
# The bundle stays where it is; the desk's data lives in ~/.local/share/lr_desk,
# which installing, upgrading or removing the bundle never touches.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
mkdir -p "$apps" "$icons" "$HOME/.local/bin"
cp "$here/lr-desk.png" "$icons/lr-desk.png"
sed "s|^Exec=.*|Exec=\"$here/lr-desk\"|" "$here/lr-desk.desktop" > "$apps/lr-desk.desktop"
ln -sf "$here/lr-desk" "$HOME/.local/bin/lr-desk"
ln -sf "$here/lr-desk-cli" "$HOME/.local/bin/lr-desk-cli"
echo "lr_desk is on the menu (Office), and lr-desk is in ~/.local/bin."
