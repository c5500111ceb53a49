//go:build !unix

package btfpack

import "errors"

func uname() (release, machine string, err error) { return "", "", errors.ErrUnsupported }
