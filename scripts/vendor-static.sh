#!/usr/bin/env bash
# Refreshes the vendored front-end assets from the npm registry. Government intranets often have no
# internet and the CSP allows only 'self', so nothing is ever loaded from a CDN at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
(cd "$work" && npm pack htmx.org@2.0.8 bootstrap@5.3.8 >/dev/null && for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done)
cp "$work"/htmx.org-2.0.8/package/dist/htmx.min.js static/vendor/htmx/
cp "$work"/bootstrap-5.3.8/package/dist/css/bootstrap.min.css static/vendor/bootstrap/
cp "$work"/bootstrap-5.3.8/package/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/
sed -i '/sourceMappingURL/d' static/vendor/bootstrap/*.css static/vendor/bootstrap/*.js static/vendor/htmx/*.js
rm -rf "$work"
