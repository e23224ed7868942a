#!/bin/sh
# Simulates an edit: rewrites line 1 ("// rev N") of FILE with a fresh
# nanosecond stamp, so the content changes and not only the mtime.
# Usage: touch.sh FILE
set -e
file="$1"
tmp="$file.tmp.$$"
{ printf '// rev %s\n' "$(date +%s%N)"; tail -n +2 "$file"; } > "$tmp"
mv "$tmp" "$file"
