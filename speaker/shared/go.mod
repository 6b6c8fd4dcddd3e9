// Cilium-facing code every line shares, compiled only inside a line's module (speaker/lines/vX.Y,
// through a replace): it requires nothing of its own, so each line's pinned Cilium and Kubernetes
// modules provide what it imports, at that line's versions.
module nrl/speaker/shared

go 1.21
