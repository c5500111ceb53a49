//go:build unix

package btfpack

import "golang.org/x/sys/unix"

// uname is uname(2)'s release and machine.
func uname() (release, machine string, err error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", "", err
	}
	return unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Machine[:]), nil
}
