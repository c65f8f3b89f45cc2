#!/usr/bin/env bash
# Runs the split analyze Job, waits for every index to complete, then the merge Job.
set -euo pipefail
cd "$(dirname "$0")"
kubectl apply -f analyze-job.yaml
kubectl wait --for=condition=complete --timeout=48h job/clipscope-analyze
kubectl apply -f merge-job.yaml
kubectl wait --for=condition=complete --timeout=6h job/clipscope-merge
