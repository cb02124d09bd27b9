#!/bin/sh
# update.sh vendors the console's front-end libraries from npm into this
# folder, with their licences. Its output is committed, so building or
# running the server needs neither Node nor a network; run it (with npm
# on the PATH) only to change a version, then commit the result.
#
#   sh console/static/vendor/update.sh
set -eu

LEAFLET=1.9.4
HTMX=2.0.11
SORTABLE=1.15.7

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --save-exact \
	"leaflet@$LEAFLET" "htmx.org@$HTMX" "sortablejs@$SORTABLE" >/dev/null
m=node_modules

rm -rf "$here/leaflet" "$here/htmx" "$here/sortable"
mkdir -p "$here/leaflet" "$here/htmx" "$here/sortable"
cp "$m/leaflet/dist/leaflet.js" "$m/leaflet/dist/leaflet.css" "$here/leaflet/"
cp "$m/leaflet/LICENSE" "$here/leaflet/LICENSE"
cp "$m/htmx.org/dist/htmx.min.js" "$here/htmx/"
cp "$m/htmx.org/LICENSE" "$here/htmx/LICENSE"
cp "$m/sortablejs/Sortable.min.js" "$here/sortable/"
cp "$m/sortablejs/LICENSE" "$here/sortable/LICENSE"

# VERSIONS records what was vendored, with each file's SHA-256, so a
# review can check the files against the registry's packages.
{
	echo "# Written by update.sh; do not edit."
	echo "leaflet $LEAFLET"
	echo "htmx.org $HTMX"
	echo "sortablejs $SORTABLE"
	echo
	cd "$here"
	sha256sum leaflet/* htmx/* sortable/*
} >"$here/VERSIONS"
echo "vendored leaflet $LEAFLET, htmx.org $HTMX, sortablejs $SORTABLE into $here"
