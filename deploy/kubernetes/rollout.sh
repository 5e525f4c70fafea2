#!/usr/bin/env bash
# Rolls out an overlay with the migration first: render, apply everything but the services' Deployments, wait for the
# migration Job, then apply the Deployments and wait for each rollout. Usage:
#   deploy/kubernetes/rollout.sh [overlay-dir] [namespace]     (defaults: overlays/production, recoup)
# Argo CD does the same on its own (the Job is a PreSync hook); this is for plain kubectl.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
overlay="${1:-$here/overlays/production}"
ns="${2:-recoup}"
rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT

kubectl kustomize "$overlay" > "$rendered"
# A Job's pod template is immutable: the previous release's Job goes before this release's runs.
kubectl -n "$ns" delete job recoup-migrate --ignore-not-found --wait=true
kubectl apply -f "$rendered" -l 'app.kubernetes.io/component!=service'
if ! kubectl -n "$ns" wait --for=condition=complete job/recoup-migrate --timeout=600s; then
  echo "migration failed: the running release is untouched" >&2
  kubectl -n "$ns" logs job/recoup-migrate --tail=50 >&2 || true
  exit 1
fi
kubectl apply -f "$rendered"
for d in $(kubectl -n "$ns" get deployments -l app.kubernetes.io/component=service -o name); do
  kubectl -n "$ns" rollout status "$d" --timeout=600s
done
