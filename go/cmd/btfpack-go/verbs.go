package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/btfpack/btfpack/go/btfpack"
)

// ls prints the pack's entries as `btfpack ls` does: "key\tblob N" lines, or with asJSON the
// same JSON array. Entries before a corrupt one are printed, then the error is returned.
func ls(path string, asJSON bool, stdout io.Writer) (err error) {
	p, err := btfpack.OpenFile(path)
	if err != nil {
		return err
	}
	defer p.Close()
	w := bufio.NewWriter(stdout)
	defer func() {
		if ferr := w.Flush(); err == nil && ferr != nil {
			err = &classError{"<stdout>: write failed", btfpack.ErrIO}
		}
	}()
	n := p.Count()
	if asJSON {
		w.WriteString("[")
	}
	for i := 0; i < n; i++ {
		e, err := p.Entry(i)
		if err != nil {
			return &classError{path + ": corrupt index", btfpack.ErrFormat}
		}
		if !asJSON {
			fmt.Fprintf(w, "%s\tblob %d\n", e.Key, e.Blob)
			continue
		}
		k, err := btfpack.ParseKey(e.Key)
		if err != nil {
			return err
		}
		sep := ",\n  "
		if i == 0 {
			sep = "\n  "
		}
		fmt.Fprintf(w, "%s{\"distro\": %s, \"version\": %s, \"arch\": %s, \"kernel\": %s, \"blob\": %d}",
			sep, jsonStr(k.Distro), jsonStr(k.Version), jsonStr(k.Arch), jsonStr(k.Release), e.Blob)
	}
	if asJSON {
		if n > 0 {
			w.WriteString("\n]\n")
		} else {
			w.WriteString("]\n")
		}
	}
	return nil
}

// classError is a message of the C++ CLI's, of one btfpack error class.
type classError struct {
	msg   string
	class error
}

func (e *classError) Error() string { return e.msg }
func (e *classError) Unwrap() error { return e.class }

// jsonStr quotes s as the C++ CLI's json_str: '"' and '\' escaped, control bytes as \u00XX,
// every other byte as is.
func jsonStr(s string) string {
	o := []byte{'"'}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			o = append(o, '\\', c)
		case c < 0x20:
			o = append(o, fmt.Sprintf("\\u%04x", c)...)
		default:
			o = append(o, c)
		}
	}
	return string(append(o, '"'))
}

// get writes one kernel's raw BTF to out ("-": stdout), as `btfpack get`.
func get(path, keyStr, out string, stdout io.Writer) error {
	p, err := btfpack.OpenFile(path)
	if err != nil {
		return err
	}
	defer p.Close()
	k, err := btfpack.ParseKey(keyStr)
	if err != nil {
		return err
	}
	i, err := p.Locate(k)
	if errors.Is(err, btfpack.ErrNotFound) {
		return &classError{path + ": no kernel " + keyStr + " in the pack (see btfpack ls)", btfpack.ErrNotFound}
	} else if err != nil {
		return &classError{path + ": corrupt index", btfpack.ErrFormat}
	}
	raw, err := p.RawBTFAt(i)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeFileAtomically(out, raw, stdout)
}

// writeFileAtomically is file_io.cpp's: "-" is stdout; a device or pipe is written in place;
// a regular file is written to a temporary file that is renamed over it.
func writeFileAtomically(path string, b []byte, stdout io.Writer) error {
	if path == "-" {
		if _, err := stdout.Write(b); err != nil {
			return &classError{"<stdout>: write failed", btfpack.ErrIO}
		}
		return nil
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return fmt.Errorf("%s: cannot open output: %s", path, strerror(err))
		}
		_, werr := f.Write(b)
		if cerr := f.Close(); werr != nil || cerr != nil {
			return fmt.Errorf("%s: write failed", path)
		}
		return nil
	}
	tmp := path + ".tmp." + strconv.Itoa(os.Getpid())
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return fmt.Errorf("%s: cannot create output file: %s", path, strerror(err))
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr == nil && cerr == nil {
		werr = os.Rename(tmp, path)
	} else if werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: cannot write output file: %s", path, strerror(werr))
	}
	return nil
}

// strerror is the C library's text for err's errno ("No such file or directory").
func strerror(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	s := err.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
