#!/usr/bin/env bash
# Brigade's process engine next to Python's process pools, side by side in one run. See compare.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec python3 benchmarks/processes/compare.py "$@"
