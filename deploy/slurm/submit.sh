#!/usr/bin/env bash
# Submits the analyze array, then the merge to run once every array task has succeeded.
# MODEL, IMAGES, SHARDS and CACHE in the environment are passed on (sbatch exports it).
set -euo pipefail
cd "$(dirname "$0")"
array=$(sbatch --parsable analyze.sbatch)
sbatch --dependency=afterok:"${array%%;*}" merge.sbatch
