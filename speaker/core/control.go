package core

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// request and reply are one JSON line each way per connection.
type request struct {
	Args []string `json:"args"`
}

type reply struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Code   int    `json:"code"`
}

// listen serves control commands on a unix socket: one command per connection, run in the process
// (what `cilium-dbg` would ask the agent's API for, answered by the agent's own code).
func listen(path string, running Running) (net.Listener, error) {
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go answer(conn, running)
		}
	}()
	return ln, nil
}

func answer(conn net.Conn, running Running) {
	defer conn.Close()
	var req request
	if err := json.NewDecoder(bufio.NewReader(conn)).Decode(&req); err != nil {
		_ = json.NewEncoder(conn).Encode(reply{Stderr: "bad request: " + err.Error(), Code: 2})
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := running.Command(ctx, req.Args, &stdout, &stderr)
	_ = json.NewEncoder(conn).Encode(reply{Stdout: stdout.String(), Stderr: stderr.String(), Code: code})
}

func ctl(path string, args []string, stdout, stderr io.Writer) int {
	if path == "" || len(args) == 0 {
		fmt.Fprintln(stderr, "ctl needs --socket PATH -- COMMAND...")
		return 2
	}
	conn, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		fmt.Fprintf(stderr, "speaker not reachable at %s: %v\n", path, err)
		return 1
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if err := json.NewEncoder(conn).Encode(request{Args: args}); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	var rep reply
	if err := json.NewDecoder(conn).Decode(&rep); err != nil {
		fmt.Fprintf(stderr, "no answer from the speaker: %v\n", err)
		return 1
	}
	fmt.Fprint(stdout, rep.Stdout)
	fmt.Fprint(stderr, rep.Stderr)
	return rep.Code
}
