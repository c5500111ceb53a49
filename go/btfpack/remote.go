package btfpack

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// Object is a BPF object to send to a BTF service: a file name (for its messages) and the
// object's bytes, e.g. the //go:embed'ed object the app loads.
type Object struct {
	Name  string
	Bytes []byte
}

// RemoteFetch returns a LookupOptions.Fetch function that asks a BTFHub-online-compatible
// service (`btfpack serve`) for the host's BTF minimized for objects:
// POST baseURL/api/v1/customize?distribution=&distribution_version=&arch=&kernel_version=
// with each object as a multipart "bpf" part, asking for the raw BTF (format=raw). A nil
// client means http.DefaultClient; the request honours ctx's deadline. The answer must be a
// BTF (magic checked) of at most the pack format's largest BTF; a service error (4xx/5xx,
// JSON {"error": ...}) is returned with its message.
func RemoteFetch(baseURL string, client *http.Client, objects ...Object) func(context.Context, Host) ([]byte, error) {
	if client == nil {
		client = http.DefaultClient
	}
	return func(ctx context.Context, h Host) ([]byte, error) {
		if len(objects) == 0 {
			return nil, fmt.Errorf("btfpack: remote %s: no BPF object to customize for", baseURL)
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, o := range objects {
			w, err := mw.CreateFormFile("bpf", o.Name)
			if err != nil {
				return nil, fmt.Errorf("btfpack: remote: %w", err)
			}
			w.Write(o.Bytes)
		}
		mw.Close()
		q := url.Values{"distribution": {h.Distro}, "distribution_version": {h.Version}, "arch": {h.Arch},
			"kernel_version": {h.Release}, "format": {"raw"}}
		u := strings.TrimRight(baseURL, "/") + "/api/v1/customize?" + q.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, &body)
		if err != nil {
			return nil, fmt.Errorf("btfpack: remote %s: %w", baseURL, err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("btfpack: remote %s: %w", baseURL, err)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxBTFSize+1))
		if err != nil {
			return nil, fmt.Errorf("btfpack: remote %s: reading the answer for %s: %w", baseURL, h, err)
		}
		if resp.StatusCode != http.StatusOK {
			var e struct {
				Error string `json:"error"`
			}
			msg := strings.TrimSpace(string(data))
			if json.Unmarshal(data, &e) == nil && e.Error != "" {
				msg = e.Error
			}
			if len(msg) > 300 {
				msg = msg[:300] + "..."
			}
			return nil, fmt.Errorf("btfpack: remote %s: %s for %s: %s", baseURL, resp.Status, h, msg)
		}
		if len(data) > maxBTFSize {
			return nil, fmt.Errorf("btfpack: remote %s: the answer for %s is over %d bytes", baseURL, h, maxBTFSize)
		}
		if len(data) < 24 || (binary.LittleEndian.Uint16(data) != 0xeb9f && binary.BigEndian.Uint16(data) != 0xeb9f) {
			return nil, fmt.Errorf("btfpack: remote %s: the answer for %s is not a BTF", baseURL, h)
		}
		return data, nil
	}
}
