#!/bin/sh
# Copy the browser builds the site serves from node_modules/ into static/vendor/ (gitignored).
# Run after `npm ci`. No CDN: the CSP allows scripts from 'self' only.
# axe-core is a devDependency used by the browser tests straight from node_modules/; it is
# never served by the site.
set -eu
cd "$(dirname "$0")/.."

if [ ! -f node_modules/chart.js/dist/chart.umd.min.js ]; then
    echo "node_modules/chart.js is missing: run 'npm ci' first." >&2
    exit 1
fi

mkdir -p static/vendor/chartjs
# The UMD bundle is self-contained (it inlines @kurkle/color) and defines window.Chart.
cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chartjs/chart.umd.min.js
# The bundle names its source map; collectstatic's manifest (debug off) fails without it.
cp node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/chartjs/chart.umd.min.js.map
cp node_modules/chart.js/LICENSE.md static/vendor/chartjs/LICENSE.md
echo "static/vendor/: chart.js $(node -p "require('./node_modules/chart.js/package.json').version")"

if [ ! -f node_modules/htmx.org/dist/htmx.min.js ]; then
    echo "node_modules/htmx.org is missing: run 'npm ci' first." >&2
    exit 1
fi
mkdir -p static/vendor/htmx
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/htmx.min.js
cp node_modules/htmx.org/LICENSE static/vendor/htmx/LICENSE
echo "static/vendor/: htmx.org $(node -p "require('./node_modules/htmx.org/package.json').version")"
