package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
)

// execEvent is struct exec_event of bpf/example_exec.bpf.c (152 bytes, host byte order).
type execEvent struct {
	Pid, Ppid uint32
	Comm      [16]byte
	Filename  [128]byte
}

const execEventSize = 152

// child is the program the app starts; its exec events must come back.
const child = "/bin/true"

// monitor loads the object with kernelTypes, attaches it, starts o.count children and checks
// their events.
func monitor(o options, kernelTypes *btf.Spec) error {
	if binary.Size(execEvent{}) != execEventSize {
		return fmt.Errorf("execEvent is %d bytes, the BPF side sends %d", binary.Size(execEvent{}), execEventSize)
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		return fmt.Errorf("memlock rlimit: %w", err)
	}
	var objs execmonitorObjects
	opts := &ebpf.CollectionOptions{Programs: ebpf.ProgramOptions{KernelTypes: kernelTypes}}
	if err := loadExecmonitorObjects(&objs, opts); err != nil {
		var verr *ebpf.VerifierError
		if errors.As(err, &verr) {
			return fmt.Errorf("load: %+v", verr)
		}
		return fmt.Errorf("load: %w", err)
	}
	defer objs.Close()
	tp, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sched_process_exec", Program: objs.ExampleExec})
	if err != nil {
		return fmt.Errorf("attach raw_tp/sched_process_exec: %w", err)
	}
	defer tp.Close()
	fmt.Println("attached: raw_tp/sched_process_exec")
	rd, err := ringbuf.NewReader(objs.ExecEvents)
	if err != nil {
		return fmt.Errorf("ring buffer: %w", err)
	}
	defer rd.Close()

	want := make(map[uint32]bool) // our children's pids -> event seen
	for range o.count {
		cmd := exec.Command(child)
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("run %s: %w", child, err)
		}
		fmt.Printf("child: pid=%d\n", cmd.Process.Pid)
		want[uint32(cmd.Process.Pid)] = false
	}
	return collect(o, rd, want)
}

// collect reads events until every pid of want was seen, checking each of ours.
func collect(o options, rd *ringbuf.Reader, want map[uint32]bool) error {
	deadline := time.Now().Add(time.Duration(o.timeout * float64(time.Second)))
	rd.SetDeadline(deadline)
	self := uint32(os.Getpid())
	seen, others := 0, 0
	for seen < len(want) {
		rec, err := rd.Read()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("%d of %d children's exec events arrived in %gs (%d other events)", seen, len(want), o.timeout, others)
		}
		if err != nil {
			return fmt.Errorf("ring buffer: %w", err)
		}
		if len(rec.RawSample) < execEventSize {
			return fmt.Errorf("event of %d bytes, want %d", len(rec.RawSample), execEventSize)
		}
		var e execEvent
		if err := binary.Read(bytes.NewReader(rec.RawSample[:execEventSize]), binary.NativeEndian, &e); err != nil {
			return fmt.Errorf("decode event: %w", err)
		}
		comm, filename := cString(e.Comm[:]), cString(e.Filename[:])
		done, ours := want[e.Pid]
		if !ours {
			others++
			if o.verbose {
				fmt.Printf("exec pid=%d ppid=%d comm=%s filename=%s\n", e.Pid, e.Ppid, comm, filename)
			}
			continue
		}
		fmt.Printf("exec pid=%d ppid=%d comm=%s filename=%s (ours)\n", e.Pid, e.Ppid, comm, filename)
		if e.Ppid != self || comm != "true" || filename != child {
			return fmt.Errorf("child %d: event has ppid=%d comm=%q filename=%q, want ppid=%d comm=\"true\" filename=%q",
				e.Pid, e.Ppid, comm, filename, self, child)
		}
		if !done {
			want[e.Pid] = true
			seen++
		}
	}
	fmt.Printf("received the exec events of all %d children (pid, ppid, comm, filename right; %d other events)\n", seen, others)
	return nil
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
