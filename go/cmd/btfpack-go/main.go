// Command btfpack-go lists a pack and extracts kernel BTFs with the pure-Go reader, mirroring
// the C++ CLI's `btfpack ls` and `btfpack get` byte for byte (the cross tests compare them).
//
//	btfpack-go ls [--json] PACK
//	btfpack-go get PACK KERNEL -o FILE|-
//
// Exit codes, as btfpack's: 0 ok, 1 error (the message names the file), 2 usage error.
package main

import (
	"fmt"
	"io"
	"os"
)

const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

const usage = `btfpack-go: the pure-Go btfpack reader's command.
Usage:
  btfpack-go ls [--json] PACK              list the kernels of a pack
  btfpack-go get PACK KERNEL -o FILE|-     extract one kernel's raw BTF (KERNEL as ls prints it)
Exit codes: 0 ok, 1 error, 2 usage error.
`

// usageError is a command line that does not parse.
type usageError string

func (e usageError) Error() string { return string(e) }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch(args, stdout)
	switch e := err.(type) {
	case nil:
		return exitOK
	case usageError:
		if e == "" { // --help
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		fmt.Fprintf(stderr, "btfpack-go: %s\n%s", e, usage)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "btfpack-go: error: %s\n", err)
		return exitError
	}
}

func dispatch(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("a subcommand is required (ls or get)")
	}
	switch args[0] {
	case "-h", "--help":
		return usageError("")
	case "ls":
		cl, err := parseArgs(args[1:], map[string]bool{"--json": false})
		if err != nil {
			return err
		}
		if len(cl.positional) != 1 {
			return usageError("ls: expected PACK")
		}
		return ls(cl.positional[0], cl.flags["--json"] != "", stdout)
	case "get":
		cl, err := parseArgs(args[1:], map[string]bool{"-o": true, "--output": true})
		if err != nil {
			return err
		}
		out := cl.flags["-o"] + cl.flags["--output"]
		if len(cl.positional) != 2 || out == "" {
			return usageError("get: expected PACK KERNEL -o FILE|-")
		}
		return get(cl.positional[0], cl.positional[1], out, stdout)
	}
	return usageError(fmt.Sprintf("unknown subcommand %q", args[0]))
}

type cmdLine struct {
	positional []string
	flags      map[string]string // flag -> value ("1" for a flag without one)
}

// parseArgs splits args into positionals and the known options (takesValue[name] says if an
// option has a value: "-o X", "-oX", "--output X", "--output=X"); "--" ends the options and
// "-" alone is a positional.
func parseArgs(args []string, takesValue map[string]bool) (cmdLine, error) {
	cl := cmdLine{flags: map[string]string{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			cl.positional = append(cl.positional, args[i+1:]...)
			break
		}
		if a == "-h" || a == "--help" {
			return cl, usageError("")
		}
		if len(a) < 2 || a[0] != '-' {
			cl.positional = append(cl.positional, a)
			continue
		}
		name, value, hasValue := a, "", false
		if eq := indexByte(a, '='); a[1] == '-' && eq > 0 {
			name, value, hasValue = a[:eq], a[eq+1:], true
		} else if a[1] != '-' && len(a) > 2 {
			name, value, hasValue = a[:2], a[2:], true
		}
		wants, known := takesValue[name]
		switch {
		case !known:
			return cl, usageError("unknown option " + a)
		case wants && !hasValue:
			if i+1 >= len(args) {
				return cl, usageError(name + " needs a value")
			}
			i++
			value = args[i]
		case !wants && hasValue:
			return cl, usageError(name + " takes no value")
		case !wants:
			value = "1"
		}
		cl.flags[name] = value
	}
	return cl, nil
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
