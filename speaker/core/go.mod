// What every line of the speaker shares: the process, its inputs, its control socket. Standard
// library only, so requiring it never moves a line's pinned Cilium dependencies (minimal version
// selection would take the highest of every requirement).
module nrl/speaker/core

go 1.21
